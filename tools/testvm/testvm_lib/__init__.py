# SPDX-License-Identifier: GPL-2.0
"""pvkit's VM test runner, in parts: plan (the lists), initramfs (the
guest image), vm (one boot and its host channel), judge (verdicts),
hosttests, report (the summary), main (the command line)."""
