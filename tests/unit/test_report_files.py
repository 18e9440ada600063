"""Report files never follow a planted link: the directory, a subdirectory and each file are checked or replaced."""

from __future__ import annotations

import os

import pytest

from conformance.safety.files import ReportDir, ReportDirError


@pytest.fixture
def victim(tmp_path):
    """A directory and a file the run must never write into."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


def untouched(victim) -> bool:
    return sorted(os.listdir(victim)) == ["precious.txt"] and (victim / "precious.txt").read_text() == "keep me"


def test_creates_the_directory_and_writes_whole_files(tmp_path):
    with ReportDir.open(tmp_path / "a" / "reports") as reports:
        written = reports.write_text("summary.json", "{}")
        reports.write_text("summary.json", '{"again": true}')  # a regular file from an earlier run is replaced
        reports.write_bytes("junit.xml", b"<testsuites/>")
        with reports.subdir("allure-results") as allure:
            allure.write_text("x-result.json", "{}")
    assert written == tmp_path / "a" / "reports" / "summary.json"
    assert written.read_text() == '{"again": true}'
    assert sorted(os.listdir(tmp_path / "a" / "reports")) == ["allure-results", "junit.xml", "summary.json"]
    assert os.listdir(tmp_path / "a" / "reports" / "allure-results") == ["x-result.json"]


@pytest.mark.parametrize("points_to", ["file", "dangling"])
def test_a_planted_file_link_is_refused_and_nothing_is_written_through_it(points_to, tmp_path, victim):
    reports = tmp_path / "reports"
    reports.mkdir()
    target = victim / "precious.txt" if points_to == "file" else victim / "created-by-the-run.txt"
    (reports / "summary.json").symlink_to(target)
    with ReportDir.open(reports) as opened, pytest.raises(ReportDirError, match="summary.json is a symbolic link"):
        opened.write_text("summary.json", "overwritten")
    assert untouched(victim)
    assert os.listdir(reports) == ["summary.json"]  # no temporary file left behind


@pytest.mark.parametrize("points_to", ["directory", "dangling"])
def test_a_report_directory_that_is_a_link_is_refused(points_to, tmp_path, victim):
    reports = tmp_path / "reports"
    reports.symlink_to(victim if points_to == "directory" else tmp_path / "nowhere")
    with pytest.raises(ReportDirError, match="is a symbolic link"):
        ReportDir.open(reports)
    assert untouched(victim) and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("points_to", ["directory", "dangling"])
def test_a_planted_subdirectory_link_is_refused(points_to, tmp_path, victim):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "allure-results").symlink_to(victim if points_to == "directory" else tmp_path / "nowhere")
    with ReportDir.open(reports) as opened, pytest.raises(ReportDirError, match="allure-results is a symbolic link"):
        opened.subdir("allure-results")
    assert untouched(victim) and not (tmp_path / "nowhere").exists()


def test_a_directory_swapped_for_a_link_after_opening_still_gets_the_files(tmp_path, victim):
    reports = tmp_path / "reports"
    with ReportDir.open(reports) as opened:
        reports.rename(tmp_path / "moved")
        reports.symlink_to(victim)
        opened.write_text("summary.json", "{}")
    assert untouched(victim)
    assert (tmp_path / "moved" / "summary.json").read_text() == "{}"


def test_what_is_not_a_directory_or_a_regular_file_is_refused(tmp_path):
    (tmp_path / "plain").write_text("")
    with pytest.raises(ReportDirError, match="not a directory"):
        ReportDir.open(tmp_path / "plain")
    with ReportDir.open(tmp_path / "reports") as opened:
        os.mkfifo(tmp_path / "reports" / "junit.xml")
        with pytest.raises(ReportDirError, match="not a regular file"):
            opened.write_text("junit.xml", "<x/>")  # a FIFO would block the run forever


@pytest.mark.parametrize("name", ["", ".", "..", "../escape.txt", "a/b", "nul\0"])
def test_only_plain_names_are_written(name, tmp_path):
    with ReportDir.open(tmp_path / "reports") as opened, pytest.raises(ReportDirError, match="plain file name"):
        opened.write_text(name, "x")
    assert os.listdir(tmp_path / "reports") == []


def test_an_unwritable_directory_is_a_one_line_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ReportDirError, match="cannot create the report directory") as caught:
        ReportDir.open(locked / "reports")
    assert "\n" not in str(caught.value)


def test_an_earlier_runs_subdirectory_is_removed_but_a_planted_link_is_left_alone(tmp_path, victim):
    reports = tmp_path / "reports"
    (reports / "allure-results" / "nested").mkdir(parents=True)
    (reports / "allure-results" / "old-result.json").write_text("{}")
    (reports / "elsewhere").symlink_to(victim)
    with ReportDir.open(reports) as opened:
        opened.remove_subdir("allure-results")  # emptied of files; the directory in it keeps it
        assert os.listdir(reports / "allure-results") == ["nested"]
        os.rmdir(reports / "allure-results" / "nested")
        opened.remove_subdir("allure-results")
        opened.remove_subdir("elsewhere")
        opened.remove_subdir("never-there")
    assert sorted(os.listdir(reports)) == ["elsewhere"] and untouched(victim)
