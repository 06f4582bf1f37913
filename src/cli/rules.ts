import { Option, type Command } from 'commander';
import { explainRule, listRules } from '../commands/rules.js';
import { RULE_LIST_FORMATS, renderRuleExplanation, renderRuleList, type RuleListFormat } from '../report/rules.js';
import { styleFor } from '../report/style.js';
import type { SetExit } from './main.js';
import { writeReport } from './output.js';

interface RulesFlags {
  section?: string[];
  command?: string[];
  severity?: string[];
  format: RuleListFormat;
  output?: string;
  force?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];
const formatOption = () => new Option('--format <format>', 'output format').choices(RULE_LIST_FORMATS).default('text');

export function registerRules(program: Command, _setExit: SetExit): void {
  program
    .command('rules')
    .description('list the rules (filter by section, command or severity)')
    .argument('[sections...]', 'checklist sections to list (restart, volumes, secrets, keys, upgrades, …)')
    .option('--section <name>', 'only this checklist section, repeatable or comma-separated', collect)
    .option('--command <name>', 'only rules this command reports (check, diff, secrets, drill, rollout)', collect)
    .option('--severity <level>', 'only rules of this default severity (error, warning, info)', collect)
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the list to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .action((sections: string[], flags: RulesFlags) => {
      const rules = listRules({
        sections: [...sections, ...(flags.section ?? [])],
        sources: flags.command,
        severities: flags.severity,
      });
      const style = flags.output ? undefined : styleFor(process.stdout);
      writeReport(renderRuleList(rules, flags.format, style), {
        file: flags.output,
        format: flags.format,
        what: 'rule list',
        force: flags.force,
      });
    });
}

export function registerExplain(program: Command, _setExit: SetExit): void {
  program
    .command('explain')
    .description('what a rule finds, why it matters, how to fix it, with an example')
    .argument('<id>', 'rule id, as findings show it (e.g. restart-policy)')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the explanation to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .action((id: string, flags: Omit<RulesFlags, 'section' | 'command' | 'severity'>) => {
      const style = flags.output ? undefined : styleFor(process.stdout);
      writeReport(renderRuleExplanation(explainRule(id), flags.format, style), {
        file: flags.output,
        format: flags.format,
        what: 'rule explanation',
        force: flags.force,
      });
    });
}
