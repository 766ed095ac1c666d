"""Code run in a hub user's own notebook server, the way JupyterLab runs a cell: a kernel started through the
server's REST API, an execute_request over its websocket (Jupyter's messaging protocol), the output read back."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit

import websocket

from tests.hub.hubclient import HubUser


def run_in_kernel(user: HubUser, code: str, server: str = "", timeout: float = 120) -> str:
    """Run `code` in a new kernel of the user's server (default, or named); returns what it printed. Fails on an
    error in the code, with its traceback."""
    prefix = f"/user/{user.name}/{server + '/' if server else ''}"
    user.session.get(user.url(prefix + "lab"), timeout=60)  # OAuth with the hub: the server's cookie and _xsrf
    headers = {"X-XSRFToken": user.xsrf(prefix)}
    started = user.session.post(user.url(prefix + "api/kernels"), json={"name": "python3"}, headers=headers,
                                timeout=60)
    assert started.status_code == 201, f"starting a kernel: {started.status_code} {started.text[:300]}"
    kernel = started.json()["id"]
    try:
        return _execute(user, prefix, kernel, code, timeout)
    finally:
        user.session.delete(user.url(f"{prefix}api/kernels/{kernel}"), headers=headers, timeout=60)


def _execute(user: HubUser, prefix: str, kernel: str, code: str, timeout: float) -> str:
    base = urlsplit(user.base_url)
    cookies = "; ".join(f"{c.name}={c.value}" for c in user.session.cookies if prefix.startswith(c.path or "/"))
    socket = websocket.create_connection(f"ws://{base.netloc}{prefix}api/kernels/{kernel}/channels",
                                         header=[f"Cookie: {cookies}"], timeout=timeout)
    try:
        message_id = uuid.uuid4().hex
        socket.send(json.dumps({
            "header": {"msg_id": message_id, "msg_type": "execute_request", "username": user.name,
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        output: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(socket.recv())
            if message.get("parent_header", {}).get("msg_id") != message_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind == "error":
                raise AssertionError("the code failed in the kernel:\n" + "\n".join(content.get("traceback", [])))
            elif kind == "status" and content.get("execution_state") == "idle":
                return "".join(output)
        raise AssertionError(f"the kernel did not finish within {timeout} s; it printed: {''.join(output)}")
    finally:
        socket.close()
