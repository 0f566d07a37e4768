"""`export_tours` / `import_tours`: a project exported on one instance and imported into an empty one
reads the same through the REST API; the file is what the REST API renders."""

import json

import pytest

from flags.models import FeatureFlag
from tests.live import manage
from tests.support.transfer import new_source_project
from tests.transfer.commands import run_command, summary
from tests.transfer.source_data import populate
from tests.transfer.test_import_posthog import assert_same_reads, local_reads
from tours.models import ProductTour
from tours.services.transfer.run import tours_import
from tours.services.transfer.sources import export_document_read

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def exported(source_instance, tmp_path_factory):
    """A populated project of the source instance, exported there by `manage.py export_tours`."""
    source = new_source_project(source_instance)
    made = populate(source)
    path = tmp_path_factory.mktemp("export") / "tours.json"
    manage(source.instance.env, "export_tours", "--project", str(source.project_id), "--output", str(path))
    return source, made, path


def test_export_then_import_into_an_empty_instance_reads_the_same(exported, tenant):
    source, _, path = exported
    document = json.loads(path.read_text())
    assert document["version"] == 1
    assert [tour["id"] for tour in document["tours"]] == [tour["id"] for tour in source.tours()]
    assert sorted(flag["key"] for flag in document["flags"]) == ["beta", "gate"]  # linked, and what beta depends on

    run = run_command("import_tours", "--project", str(tenant.project.id), str(path), "--json")
    assert (run.code, run.json()) == (0, summary(created=4, flags=(2, 0, 0)))
    assert_same_reads(source, tenant)

    again = run_command("import_tours", "--project", str(tenant.project.id), str(path), "--json")
    assert (again.code, again.json()) == (0, summary(unchanged=4, flags=(0, 0, 2)))


def test_the_file_is_what_the_rest_api_renders(tenant):
    flag = tenant.client.post(tenant.url("feature_flags/"), {"key": "linked"}, format="json").json()
    for body in ({"name": "One", "linked_flag_id": flag["id"]}, {"name": "Two", "archived": True}):
        assert tenant.client.post(tenant.url("product_tours/"), body, format="json").status_code == 201
    run = run_command("export_tours", "--project", str(tenant.project.id))
    assert run.code == 0 and run.stderr.strip() == "Exported 2 product tours and 1 feature flags"
    document = json.loads(run.stdout)
    assert document["tours"] == local_reads(tenant)
    assert document["flags"] == [tenant.client.get(tenant.url(f"feature_flags/{flag['id']}/")).json()]


def test_secret_payloads_are_exported_in_clear_and_imported(tenant, other_tenant):
    secret = {
        "key": "secret-flag",
        "has_encrypted_payloads": True,
        "filters": {"groups": [{"rollout_percentage": 100}], "payloads": {"true": '{"coupon": "SAVE10"}'}},
    }
    flag = tenant.client.post(tenant.url("feature_flags/"), secret, format="json").json()
    tour = tenant.client.post(tenant.url("product_tours/"), {"name": "T", "linked_flag_id": flag["id"]}, format="json")
    assert tour.status_code == 201
    document = json.loads(run_command("export_tours", "--project", str(tenant.project.id)).stdout)
    assert document["flags"][0]["filters"]["payloads"] == {"true": '{"coupon": "SAVE10"}'}
    assert document["tours"][0]["linked_flag"]["filters"]["payloads"] == {"true": '{"coupon": "SAVE10"}'}
    # Into another project (the tour's id is free again once the original is gone).
    assert tenant.client.delete(tenant.url(f"product_tours/{tour.json()['id']}/")).status_code == 204
    report = tours_import(project=other_tenant.project, source=export_document_read(json.dumps(document)))
    assert report.as_json() == summary(created=1, flags=(1, 0, 0))
    imported = FeatureFlag.objects.get(project=other_tenant.project, key="secret-flag")
    assert imported.has_encrypted_payloads is True
    assert imported.filters["payloads"] == {"true": '{"coupon": "SAVE10"}'}


def test_dry_run_of_a_file_writes_nothing(exported, tenant):
    _, _, path = exported
    run = run_command("import_tours", "--project", str(tenant.project.id), str(path), "--dry-run", "--json")
    assert (run.code, run.json()) == (0, summary(created=4, flags=(2, 0, 0)))
    assert not ProductTour.objects.exists() and not FeatureFlag.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        (
            "{not json",
            "the file is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (
            '{"version": 2, "tours": [], "flags": []}',
            "unsupported export file version 2 (this service reads version 1)",
        ),
        ('{"tours": {}}', "unsupported export file version None (this service reads version 1)"),
        ("[]", 'the file is not an export_tours file (expected {"version": 1, "tours": [...], "flags": [...]})'),
        ('{"version": 1, "tours": {}, "flags": []}', '"tours" and "flags" must be lists'),
    ],
)
def test_a_file_that_is_not_an_export_exits_2_with_one_line(tenant, tmp_path, content, message):
    path = tmp_path / "tours.json"
    if content is not None:
        path.write_text(content)
    run = run_command("import_tours", "--project", str(tenant.project.id), str(path), "--json")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.splitlines()[-1] == "import_tours: " + message.replace("{path}", str(path))


def test_export_to_an_unwritable_place_or_of_an_unknown_project_exits_2(tenant, tmp_path):
    run = run_command("export_tours", "--project", str(tenant.project.id), "--output", str(tmp_path / "no" / "x.json"))
    assert run.code == 2
    assert run.stderr.splitlines() == [
        f"export_tours: cannot write {tmp_path / 'no' / 'x.json'}: No such file or directory"
    ]
    run = run_command("export_tours", "--project", "987654")
    assert (run.code, run.stderr.splitlines()) == (2, ["export_tours: project 987654 does not exist here (--project)"])
