"""JUnit XML, for CI systems that show test results: a suite per stage, a case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from realitycheck.core.report import CheckOutcome, Report, StageReport, StageStatus


def _suite(stage: StageReport) -> ET.Element:
    suite = ET.Element("testsuite", name=stage.name)
    cases: list[ET.Element] = []

    def case(name: str) -> ET.Element:
        el = ET.Element("testcase", classname=f"realitycheck.{stage.name}", name=name)
        cases.append(el)
        return el

    if stage.status is StageStatus.SKIPPED:
        ET.SubElement(case(stage.title), "skipped", message=stage.reason or "skipped")
    elif stage.status is StageStatus.ERROR:
        el = ET.SubElement(case(stage.title), "error", message=stage.reason or "error")
        el.text = stage.reason
    else:
        for check in stage.checks:
            el = case(check.name)
            if check.outcome is CheckOutcome.FAILED:
                ET.SubElement(el, "failure", message=check.message or "failed").text = check.message
            elif check.outcome is CheckOutcome.SKIPPED:
                ET.SubElement(el, "skipped", message=check.message or "skipped")
            elif check.outcome is CheckOutcome.ERROR:
                ET.SubElement(el, "error", message=check.message or "error").text = check.message
        if stage.failures and not any(c.outcome is CheckOutcome.FAILED for c in stage.checks):
            el = case(f"{stage.title} gate")
            text = "\n".join(f.message for f in stage.failures)
            ET.SubElement(el, "failure", message=stage.failures[0].message).text = text
        if not cases:
            case(stage.title)
    for el in cases:
        suite.append(el)
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def render(report: Report, *, color: bool = False) -> str:
    """The JUnit XML document."""
    root = ET.Element("testsuites", name="realitycheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for stage in report.stages:
        suite = _suite(stage)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
