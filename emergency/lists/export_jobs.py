"""Large exports run as jobs: the runners, and the choice between a direct download and a job."""
from flask import current_app

from emergency.lists import exports
from emergency.platform.jobs import runner
from emergency.publishing import versions
from models import County, ListVersion, db


def _county(params):
    return db.session.get(County, params["county_id"]) if params.get("county_id") else None


@runner("export_list")
def run_export_list(params, progress, out):
    county = _county(params)
    with open(out, "wb") as fh:
        exports.export_list(fh, params["level"], county, progress)
    return exports.list_filename(params["level"], county), ""


@runner("export_counties")
def run_export_counties(params, progress, out):
    county = _county(params)
    with open(out, "wb") as fh:
        names = exports.export_counties(fh, params["level"], county, progress)
    return exports.counties_filename(params["level"], county), f"共 {len(names)} 个县（市、区）工作簿"


@runner("export_registry")
def run_export_registry(params, progress, out):
    county = _county(params)
    with open(out, "wb") as fh:
        rows = exports.export_registry(fh, county, progress)
    return exports.registry_filename(county), f"共 {rows} 行"


@runner("export_version")
def run_export_version(params, progress, out):
    county, version = _county(params), db.session.get(ListVersion, params["version_id"])
    with open(out, "wb") as fh:
        versions.export_version(fh, version, params["level"], county, progress)
    return versions.version_filename(version, params["level"], county), ""


def _threshold():
    return current_app.config.get("JOB_THRESHOLD_ROWS", 10000)


def needs_job(county):
    """Exports larger than about two seconds of writing go through a job with a progress page."""
    return exports.count_lines(county.id if county else None) > _threshold()


def version_needs_job(version, level, county):
    return versions.count_version_rows(version, level, county.id if county else None) > _threshold()
