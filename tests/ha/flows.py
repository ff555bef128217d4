#!/usr/bin/env python3
"""The money flows the scale-out scripts (tests/ha/*) drive through the real HTTP API.

    flows.py BASE_URL [--transfers N] [--clients C] [--kill PID | --kill-command CMD]
             [--kill-after K] [--webhooks]
             [--schedule]

Signs an organisation up, invites a FINANCE_MANAGER and an HR_MANAGER, hires employees (KYC
approved), deposits into the treasury, then at once: N transfers from the treasury to the
employees' wallets on C clients, each retried with the same Idempotency-Key until it is answered,
and as many GET /auth/me reads; then an OFF_CYCLE payroll run, approved and executed. It exits
non-zero on any 5xx, on a transfer that exists other than exactly once, on wrong balances, or
when reconciliation or the audit chain fails, and prints what it did as one JSON line. With
--kill, it SIGKILLs that process (one instance behind a load balancer), or with --kill-command
runs that command (a database primary's death), once K transfers were answered; the answers lost with it are then expected (the clients retry them with the same key)
and are counted, not failed. With --webhooks, a receiver on loopback (the server needs
PAYROLLX_WEBHOOK_ALLOW_PRIVATE=true) subscribes to every event and checks each signature; the
deliveries of the setup are awaited before the transfers start, and at the end every delivery
must be DELIVERED and every event received exactly once. With --schedule (the servers' jobs
running often: PAYROLLX_JOBS_INTERVAL_MS), a MONTHLY autoExecute schedule from two months ago is
created before the transfers; its two due periods must be drafted once each, and the older run,
approved after the kill, executed once by the scheduler (one payment per employee).
Only the standard library: it runs wherever python3 does.
"""
import argparse
import concurrent.futures
import hashlib
import hmac
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

TRANSFER_AMOUNT = 1_000
DEPOSIT = 100_000_000


class Failure(Exception):
    pass


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.server_errors = 0

    def call(self, method, path, body=None, token=None, key=None):
        """(status, parsed body or None); a connection failure is status 0."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        if key:
            request.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read()
                return answer.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            if error.code >= 500:
                self.server_errors += 1
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, None

    def expect(self, status, method, path, body=None, token=None, key=None):
        got, answer = self.call(method, path, body, token, key)
        if got != status:
            raise Failure(f"{method} {path}: {got} {answer}")
        return answer


class Receiver:
    """A webhook endpoint on loopback: counts the events it receives, by id, once verified."""

    def __init__(self):
        self.secret = None
        self.received = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.record(self.headers.get("PayrollX-Signature", ""), body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def record(self, signature, body):
        fields = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
        expected = hmac.new(self.secret.encode(), f"{fields.get('t')}.".encode() + body,
                            hashlib.sha256).hexdigest()
        with self.lock:
            if not hmac.compare_digest(expected, fields.get("v1", "")):
                self.bad_signatures += 1
                return
            event = json.loads(body)["id"]
            self.received[event] = self.received.get(event, 0) + 1


def deliveries(api, admin, endpoint):
    """Every delivery of the endpoint: {id: (eventId, status)}."""
    found, cursor = {}, None
    while True:
        path = f"/api/v1/webhooks/{endpoint}/deliveries?limit=200" + (
            f"&cursor={cursor}" if cursor else "")
        page = api.expect(200, "GET", path, token=admin)
        for delivery in page["data"]:
            found[delivery["id"]] = (delivery["eventId"], delivery["status"])
        cursor = page.get("nextCursor")
        if not cursor:
            return found


def all_delivered(api, admin, endpoint, receiver, timeout=60):
    """Waits until every delivery is DELIVERED and its event arrived; the deliveries."""
    deadline = time.monotonic() + timeout
    while True:
        found = deliveries(api, admin, endpoint)
        done = all(status == "DELIVERED" for _, status in found.values())
        with receiver.lock:
            arrived = all(event in receiver.received for event, _ in found.values())
        if done and arrived:
            return found
        if time.monotonic() > deadline:
            raise Failure(f"deliveries not all DELIVERED and received: {len(found)} deliveries")
        time.sleep(0.2)


def month_start_before(months):
    today = time.gmtime()
    year, month = today.tm_year, today.tm_mon - months
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}-01"


def runs_of(api, token, schedule):
    runs = api.expect(200, "GET", "/api/v1/payroll/runs?limit=200", token=token)["data"]
    return [run for run in runs if run.get("scheduleId") == schedule]


def wait_for(what, condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.2)


def user(api, admin, role, tag):
    invited = api.expect(201, "POST", "/api/v1/users", {
        "email": f"{role.lower()}-{tag}@ha.example.com", "firstName": role, "lastName": "Ha",
        "role": role}, admin)
    accepted = api.expect(200, "POST", "/api/v1/auth/invitations/accept", {
        "token": invited["invitation"]["token"], "password": "correct horse battery staple"})
    return accepted["accessToken"]


class Killer:
    """SIGKILLs `pid` (or runs `command`) once `after` transfers were answered (neither: never),
    and tells how long writes then failed: from the kill to the next transfer answered."""

    def __init__(self, pid, command, after):
        self.pid, self.command, self.after, self.answered = pid, command, after, 0
        self.killed_at = self.recovered_at = None
        self.lock = threading.Lock()

    def answered_one(self, started, finished):
        with self.lock:
            self.answered += 1
            # Recovered: a request sent after the kill was answered.
            if self.killed_at is not None and started >= self.killed_at and (
                    self.recovered_at is None or finished < self.recovered_at):
                self.recovered_at = finished
            if self.answered == self.after and (self.pid or self.command):
                if self.pid:
                    os.kill(self.pid, signal.SIGKILL)
                else:
                    subprocess.run(self.command, shell=True, check=True)
                self.killed_at = time.monotonic()

    def outage_seconds(self):
        if self.killed_at is None or self.recovered_at is None:
            return None
        return round(self.recovered_at - self.killed_at, 2)


def until_answered(api, expected, deadline, method, path, body=None, token=None, key=None,
                   timing=None):
    """The request repeated (with the same key) until it answers `expected`: the last status.
    `timing`, a list, gets when the last attempt started and ended."""
    while True:
        started = time.monotonic()
        status, _ = api.call(method, path, body, token, key)
        if status == expected or time.monotonic() > deadline:
            if timing is not None:
                timing[:] = [started, time.monotonic()]
            return status
        time.sleep(0.05)


def transfer(api, token, treasury, wallet, deadline, killer):
    """One transfer, its request repeated with one key until answered: (key, status)."""
    key = "ha-" + uuid.uuid4().hex
    body = {"fromWalletId": treasury, "toWalletId": wallet, "amount": TRANSFER_AMOUNT,
            "type": "TRANSFER"}
    timing = []
    status = until_answered(api, 201, deadline, "POST", "/api/v1/transfers", body, token, key,
                            timing)
    killer.answered_one(*timing)
    return key, status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--transfers", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--employees", type=int, default=20)
    parser.add_argument("--kill", type=int, default=0)
    parser.add_argument("--kill-command", default="")
    parser.add_argument("--kill-after", type=int, default=100)
    parser.add_argument("--webhooks", action="store_true")
    parser.add_argument("--schedule", action="store_true")
    options = parser.parse_args()
    killer = Killer(options.kill, options.kill_command, options.kill_after)
    api = Api(options.base)
    tag = uuid.uuid4().hex[:10]

    signed_up = api.expect(201, "POST", "/api/v1/auth/signup", {
        "email": f"admin-{tag}@ha.example.com", "password": "correct horse battery staple",
        "firstName": "Ada", "lastName": "Ha", "organizationName": f"HA {tag}"})
    admin = signed_up["accessToken"]
    receiver = endpoint = None
    if options.webhooks:
        receiver = Receiver()
        created = api.expect(201, "POST", "/api/v1/webhooks",
                             {"url": receiver.url, "events": ["*"]}, admin)
        receiver.secret, endpoint = created["secret"], created["id"]
    finance = user(api, admin, "FINANCE_MANAGER", tag)
    hr = user(api, admin, "HR_MANAGER", tag)
    wallets = api.expect(200, "GET", "/api/v1/wallets", token=admin)["data"]
    treasury = next(w["id"] for w in wallets if w["ownerType"] == "ORGANIZATION")
    api.expect(201, "POST", f"/api/v1/wallets/{treasury}/deposits",
               {"amount": DEPOSIT, "reference": "ha"}, finance, "ha-deposit-" + tag)

    employees = []
    for i in range(options.employees):
        hired = api.expect(201, "POST", "/api/v1/employees", {
            "firstName": f"E{i}", "lastName": "Ha", "email": f"e{i}-{tag}@ha.example.com",
            "hireDate": "2026-01-05",
            "salary": {"amount": 6_000_000, "currency": "USD", "period": "ANNUAL"}}, hr)
        api.expect(200, "POST", f"/api/v1/employees/{hired['id']}/kyc/approve", {}, hr)
        employees.append(hired)

    schedule = None
    if options.schedule:
        schedule = api.expect(201, "POST", "/api/v1/payroll/schedules", {
            "name": "HA monthly", "frequency": "MONTHLY",
            "firstPeriodStart": month_start_before(2), "payDateOffsetDays": 0,
            "currency": "USD", "autoExecute": True}, hr)["id"]
        wait_for("two scheduled runs", lambda: len(runs_of(api, finance, schedule)) >= 2)

    if receiver:
        # Nothing in flight when an instance is killed: a delivery sent but not yet recorded by
        # the dead one would be sent again once its lease ran out (at least once, by design).
        all_delivered(api, admin, endpoint, receiver)

    deadline = time.monotonic() + 120
    with concurrent.futures.ThreadPoolExecutor(options.clients) as pool:
        sent = [pool.submit(transfer, api, finance, treasury,
                            employees[i % len(employees)]["walletId"], deadline, killer)
                for i in range(options.transfers)]
        reads = [pool.submit(until_answered, api, 200, deadline, "GET", "/api/v1/auth/me", None,
                             admin)
                 for _ in range(options.transfers)]
        answered = [future.result() for future in sent]
        read_statuses = [future.result() for future in reads]
    lost_to_the_kill = api.server_errors
    killing = bool(options.kill or options.kill_command)
    if killing:
        api.server_errors = 0
    unanswered = [key for key, status in answered if status != 201]
    if unanswered:
        raise Failure(f"{len(unanswered)} transfers never answered 201")
    failed_reads = sum(1 for status in read_statuses if status != 200)

    run = api.expect(201, "POST", "/api/v1/payroll/runs", {
        "type": "OFF_CYCLE", "periodStart": "2026-02-01", "periodEnd": "2026-02-28",
        "payDate": "2026-02-27", "currency": "USD",
        "items": [{"employeeId": e["id"], "amount": 50_000, "description": "HA bonus"}
                  for e in employees]}, hr)
    api.expect(200, "POST", f"/api/v1/payroll/runs/{run['id']}/approve", {}, finance)
    executed = api.expect(200, "POST", f"/api/v1/payroll/runs/{run['id']}/execute", {}, finance,
                          "ha-execute-" + tag)
    if executed["status"] != "COMPLETED":
        raise Failure(f"the run is {executed['status']}")

    scheduled_net = 0
    if schedule:
        runs = runs_of(api, finance, schedule)
        periods = sorted(run["periodStart"] for run in runs)
        if periods != [month_start_before(2), month_start_before(1)]:
            raise Failure(f"scheduled periods drafted: {periods}")
        older = next(run for run in runs if run["periodStart"] == month_start_before(2))
        api.expect(200, "POST", f"/api/v1/payroll/runs/{older['id']}/approve", {}, finance)
        wait_for("the scheduler to execute the approved run", lambda: api.expect(
            200, "GET", f"/api/v1/payroll/runs/{older['id']}", token=finance)["status"] ==
            "COMPLETED")
        paid = api.expect(200, "GET", f"/api/v1/transactions?payrollRunId={older['id']}&limit=200",
                          token=finance)["data"]
        if len(paid) != len(employees):
            raise Failure(f"the scheduled run made {len(paid)} payments for {len(employees)}")
        scheduled_net = api.expect(200, "GET", f"/api/v1/payroll/runs/{older['id']}",
                                   token=finance)["totals"]["net"]

    transfers = 0
    cursor = None
    while True:
        path = "/api/v1/transactions?type=TRANSFER&limit=200" + (f"&cursor={cursor}" if cursor
                                                                 else "")
        page = api.expect(200, "GET", path, token=finance)
        transfers += len(page["data"])
        cursor = page.get("nextCursor")
        if not cursor:
            break
    if transfers != options.transfers:
        raise Failure(f"{transfers} transfers exist, {options.transfers} were asked for")
    balance = api.expect(200, "GET", f"/api/v1/wallets/{treasury}", token=finance)["balance"]
    expected = (DEPOSIT - options.transfers * TRANSFER_AMOUNT - executed["totals"]["net"] -
                scheduled_net)
    if balance != expected:
        raise Failure(f"the treasury holds {balance}, not {expected}")
    reconciliation = api.expect(200, "GET", "/api/v1/ledger/reconciliation", token=finance)
    if not reconciliation["ok"]:
        raise Failure(f"reconciliation: {reconciliation['mismatches'][:3]}")
    chain = api.expect(200, "GET", "/api/v1/audit-logs/verify", token=admin)
    if not chain["ok"]:
        raise Failure(f"audit chain: {chain}")
    delivered = 0
    if receiver:
        found = all_delivered(api, admin, endpoint, receiver)
        twice = [event for event, count in receiver.received.items() if count != 1]
        if twice or receiver.bad_signatures or len(receiver.received) != len(found):
            raise Failure(f"webhooks: {len(found)} deliveries, {len(receiver.received)} events "
                          f"received, {len(twice)} more than once, {receiver.bad_signatures} "
                          "badly signed")
        delivered = len(found)
    if api.server_errors or failed_reads:
        raise Failure(f"{api.server_errors} answers were 5xx, {failed_reads} reads failed")
    print(json.dumps({"transfers": transfers, "reads": len(read_statuses),
                      "payroll_net": executed["totals"]["net"],
                      "answers_lost_to_the_kill": lost_to_the_kill if killing else 0,
                      "writes_failed_for_seconds": killer.outage_seconds(),
                      "webhook_deliveries": delivered, "scheduled_net": scheduled_net}))


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"flows: {failure}", file=sys.stderr)
        sys.exit(1)
