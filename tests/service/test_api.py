"""The JSON API as DESIGN.md's service contract states it, route by route."""

import json
import subprocess

from conftest import RECYCLED, Client, leitong_bin


def test_login_answers_the_contract_and_sets_a_strict_cookie(client):
    reply = client.login("luohu")
    assert reply.status == 200
    body = reply.json()
    assert body["name"] == "luohu" and body["role"] == "agency" and body["agency"] == "深圳市罗湖区民政局"
    assert len(body["csrf_token"]) == 64
    cookie = client.set_cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1, not behind a proxy that says https


def test_wrong_password_is_401_and_sets_no_cookie(client):
    reply = client.login("luohu", "not-the-password")
    assert reply.status == 401
    assert "error" in reply.json()
    assert client.cookie is None


def test_agency_check_equals_the_cli_check(luohu, archive):
    reply = luohu.check()
    assert reply.status == 201, reply.text
    body = reply.json()
    assert len(body["id"]) == 32
    cli = subprocess.run([leitong_bin(), "check", "--archive", str(archive), "--agency", "深圳市罗湖区民政局",
                          "--year", "2025", "--format", "json", str(RECYCLED)],
                         check=True, capture_output=True, text=True)
    expected = json.loads(cli.stdout)
    got = body["check"]
    # The same findings; files are named without their folders (the upload's name; the archived
    # sources' names without the paths they were added from).
    assert got["document"]["file"] == RECYCLED.name
    expected["document"]["file"] = RECYCLED.name
    for source in expected["sources"]:
        source["file"] = source["file"].rsplit("/", 1)[-1]
    assert all("/" not in s["file"] for s in got["sources"])
    assert got == expected
    assert got["copy_ratio"] > 0.7
    sources = {(s["agency"], s["year"]) for s in got["sources"]}
    assert ("深圳市罗湖区民政局", 2024) in sources

    again = luohu.get(f"/api/v1/checks/{body['id']}")
    assert again.status == 200 and again.json()["check"] == got
    listed = luohu.get("/api/v1/checks").json()["checks"]
    assert body["id"] in [c["id"] for c in listed]
    evidence = luohu.get(f"/api/v1/checks/{body['id']}/evidence")
    assert evidence.status == 200 and "总复制比" in evidence.text


def test_a_check_gives_its_a4_report_as_pdf(luohu, inspector, tmp_path):
    reply = luohu.check()
    assert reply.status == 201, reply.text
    check_id = reply.json()["id"]
    page = luohu.get(f"/checks/{check_id}")
    assert f'href="/api/v1/checks/{check_id}/report.pdf"' in page.text
    for c in (luohu, inspector):
        pdf = c.get(f"/api/v1/checks/{check_id}/report.pdf")
        assert pdf.status == 200, pdf.text[:300]
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == f'attachment; filename="leitong-{check_id[:8]}.pdf"'
        assert pdf.body.startswith(b"%PDF-")
    # Read back with leitong's own PDF extraction: the indices, the conclusion and a passage.
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.body)
    text = subprocess.run([leitong_bin(), "extract", "--keep-chrome", str(path)], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    check = reply.json()["check"]
    assert f"单篇最大复制比样板（公文套语）{100 * check['copy_ratio']:.1f}%" in flat, flat[:600]
    assert "结论：疑似沿用本单位2024年报告" in flat
    assert "".join(check["passages"][-1]["text"].split())[:30] in flat
    pages = pdf.body.count(b"/MediaBox")
    assert pages >= 2 and f"共{pages}页" in flat
    assert luohu.get(f"/api/v1/checks/{check_id}/report.pdf", headers={"Cookie": ""}).status == 401


def test_a_checked_draft_is_never_added(luohu, inspector):
    before = inspector.get("/api/v1/stats").json()["documents"]
    assert luohu.check().status == 201
    assert inspector.get("/api/v1/stats").json()["documents"] == before


def test_inspector_views_return_the_cli_json(inspector, archive):
    for route, command in [("/api/v1/stats", ["stats"]), ("/api/v1/boilerplate", ["boilerplate"]),
                           ("/api/v1/yoy?year=2024", ["yoy", "--year", "2024"])]:
        reply = inspector.get(route)
        assert reply.status == 200, (route, reply.text)
        cli = subprocess.run([leitong_bin(), *command, "--archive", str(archive), "--format", "json"],
                             check=True, capture_output=True, text=True)
        got, expected = reply.json(), json.loads(cli.stdout)
        if command == ["stats"]:  # sizes on disk move as the service writes its own file beside it
            for key in ("file_bytes", "index_bytes_per_document"):
                got.pop(key, None), expected.pop(key, None)
        assert got == expected, route


def test_logout_ends_the_session(client):
    assert client.login("shapingba").status == 200
    token = client.cookie
    assert client.get("/api/v1/checks").status == 200
    assert client.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": client.csrf}).status == 204
    client.cookie = token  # the old cookie, replayed
    assert client.get("/api/v1/checks").status == 401


def test_an_account_given_the_short_name_checks_as_the_archives_agency(server, archive):
    """`user add --agency 罗湖区民政局` files the account under 深圳市罗湖区民政局, so its drafts are
    compared with its own earlier reports as the same agency's."""
    added = subprocess.run([leitong_bin(), "user", "add", "--archive", str(archive), "--name", "luohu-short",
                            "--role", "agency", "--agency", "罗湖区民政局"],
                           input="luohu-short-pass\n", text=True, capture_output=True)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().endswith("of 深圳市罗湖区民政局")
    assert "agency 罗湖区民政局 is 深圳市罗湖区民政局 in the archive" in added.stderr
    client = Client(server)
    assert client.login("luohu-short", "luohu-short-pass").status == 200
    reply = client.check()
    assert reply.status == 201, reply.text
    check = reply.json()["check"]
    assert check["document"]["agency"] == "深圳市罗湖区民政局"
    assert (check["sources"][0]["relation"], check["sources"][0]["year"]) == ("same_agency", 2024)


def test_uploads_are_filed_under_the_registers_entry_and_a_likely_typo_is_refused(inspector):
    """An upload's agency written short is the archive's agency (no new agency appears); one
    character off outside the place's name is refused with the archive's name."""
    before = inspector.get("/api/v1/stats").json()
    text = ("深圳市罗湖区民政局2031年补充材料。本年度继续推进依法行政，完善制度建设，"
            "组织开展专题培训三次，办理群众来信二十件，均已按期办结。").encode()
    reply = inspector.post_multipart("/api/v1/documents", {"agency": "罗湖区民政局", "year": "2031"},
                                     [("files", "supplement-2031.txt", text)])
    assert reply.status == 202, reply.text
    progress = inspector.wait_for_job(reply.json()["job"])
    assert (progress["state"], progress["added"], progress["refused"]) == ("done", 1, [])
    after = inspector.get("/api/v1/stats").json()
    assert after["documents"] == before["documents"] + 1
    assert after["agencies"] == before["agencies"]

    reply = inspector.post_multipart("/api/v1/documents", {"agency": "深圳市罗湖区民政居", "year": "2031"},
                                     [("files", "typo-2031.txt", text)])
    assert reply.status == 422, reply.text
    assert "深圳市罗湖区民政局" in reply.text
    assert inspector.get("/api/v1/stats").json()["documents"] == after["documents"]
