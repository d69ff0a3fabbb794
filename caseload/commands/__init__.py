"""Subcommands of `caseload`, one module each.

Each module defines NAME, HELP, `add_arguments(parser)` and `run(args) -> int`, and imports
anything heavy inside `run`, so that `caseload --help` and the fast paths stay fast. To add a
command, write its module and list it in MODULES.
"""

MODULES = (
    "caseload.commands.review",
    "caseload.commands.handout",
    "caseload.commands.demo_data",
    "caseload.commands.clinic",
    "caseload.commands.audit",
    "caseload.commands.encrypt",
    "caseload.commands.importer",
    "caseload.commands.export",
    "caseload.commands.backup",
    "caseload.commands.restore",
    "caseload.commands.doctor",
)
