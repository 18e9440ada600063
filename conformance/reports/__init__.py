"""Renderers, one per report kind, all fed the same redacted result: the console (console), report.html and the
compare and matrix pages (html, templates/), junit.xml (junit), allure-results (allure_labels, allure_results), and
the writer that puts a run's reports in its folder (writer).

It may import conformance.results and below.
"""
