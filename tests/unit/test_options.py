"""The option table the CLI and the plugin share (conformance.config.options), which imports nothing of the suite."""

from conformance.config import options
from conformance.contract.spec import CATEGORIES


def test_the_category_option_names_every_category_of_the_catalogue():
    help_text = options.BY_DEST["category"].help
    named = help_text.split(": ", 1)[1].split(";", 1)[0].replace(" or ", ", ").split(", ")
    assert named == list(CATEGORIES)


def test_repeated_options_reach_the_plugin_once_per_value():
    values = {option.dest: option.default for option in options.OPTIONS}
    values |= {"requirement": ["PAG-02", "AUTH-01"], "category": ["auth"], "wait_for_target": 30.0}
    arguments = options.as_arguments(values)
    assert arguments == [
        "--iam-requirement=PAG-02",
        "--iam-requirement=AUTH-01",
        "--iam-category=auth",
        "--iam-wait-for-target=30.0",
    ]
