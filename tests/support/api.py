"""The JSON API as the tests call it: named users, logged in once each."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from engine.demo import PASSWORD


class Api:
    """Calls the JSON API as named users, logging in once per user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/login",
                                        json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str, body: Any = None,
             expect: int | None = 200) -> Any:
        response = self.client.open(f"/api/v1{path}", method=method, json=body,
                                    headers={"Authorization": f"Bearer {self.token(user)}"})
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_json())
        return response.get_json() if response.is_json else response.get_data(as_text=True)

    def get(self, path: str, user: str, expect: int | None = 200) -> Any:
        return self.call("GET", path, user, expect=expect)

    def post(self, path: str, user: str, body: Any = None, expect: int | None = 200) -> Any:
        return self.call("POST", path, user, body, expect=expect)

    def task(self, case_id: int, bpmn_id: str, user: str) -> dict[str, Any]:
        """The open task at ``bpmn_id`` in ``user``'s inbox (fails when it is not there)."""
        tasks = [t for t in self.get("/tasks", user)["tasks"]
                 if t["case_id"] == case_id and t["bpmn_id"] == bpmn_id]
        assert tasks, f"{user} has no task {bpmn_id} in case {case_id}"
        return tasks[0]

    def claim(self, task: dict[str, Any], user: str) -> None:
        """Take a group task the user does not hold yet (as a person does before typing)."""
        if user not in (task["assignee"], task["claimed_by"]):
            self.post(f"/tasks/{task['id']}/claim", user)

    def complete(self, case_id: int, bpmn_id: str, user: str, data: dict[str, Any],
                 expect: int = 200) -> Any:
        """Claim the task when it is a group task, then complete it."""
        task = self.task(case_id, bpmn_id, user)
        self.claim(task, user)
        return self.post(f"/tasks/{task['id']}/complete", user, {"data": data}, expect=expect)
