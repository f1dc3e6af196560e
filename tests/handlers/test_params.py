"""The one reader of service-task parameters."""

from __future__ import annotations

import pytest

from handlers.params import param


def test_reads_spiff_operation_params_shape(make_context) -> None:
    context = make_context(kind="no_appeal")
    assert context.params == {"kind": {"value": "no_appeal", "type": "str"}}
    assert param(context, "kind") == "no_appeal"


def test_accepts_a_plain_value(context) -> None:
    context.params = {"service": "ip"}
    assert param(context, "service") == "ip"


def test_missing_parameter_names_it(context) -> None:
    with pytest.raises(ValueError, match="'kind' is missing"):
        param(context, "kind")
    assert param(context, "kind", default=None) is None


def test_choices(make_context) -> None:
    context = make_context(service="tannlege")
    with pytest.raises(ValueError, match="expected one of ip, koordinator"):
        param(context, "service", choices=("ip", "koordinator"))
