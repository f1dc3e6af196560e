from tests.support.api import Api


def test_report_is_assessed_by_the_systemkoordinator(api: Api) -> None:
    created = api.post("/cases", "koordinator", {"process": "ip_koordinator", "data": {
        "citizen_name": "Ola Hansen", "citizen_nin": "23074820085", "reported_by": "parorende",
        "requests": ["ip", "koordinator"]}}, expect=201)
    case = api.get(f"/cases/{created['id']}", "systemkoordinator")
    assert case["status"] == "active"
    assert [t["bpmn_id"] for t in case["tasks"]] == ["assess_report"]
    task = api.task(created["id"], "assess_report", "systemkoordinator")
    assert task["role"] == "systemkoordinator" and task["due_at"]
