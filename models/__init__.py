"""The data model: one module per entity, sharing the unbound ``db``."""
from .alert import Alert, AlertStep, Dispatch, DispatchFile, alert_county
from .api_token import ApiToken
from .audit import AuditLog
from .base import db
from .county import County
from .enterprise import Enterprise
from .import_batch import ImportBatch
from .industry import Category, CategoryReason, Grade, GradeScheme, Industry
from .job import Job
from .line import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS, LineMeasure, ProductionLine
from .login_throttle import LoginThrottle
from .measure_type import MeasureType
from .notice import Notice, NoticeBatch
from .power import Inspection, InspectionPhoto, PositiveListEntry, PowerAccount, PowerReading
from .reference import (
    NON_INDUSTRIAL_TYPES,
    SOURCE_TYPE_LABELS,
    SOURCE_TYPES,
    MeasureFloor,
    NonIndustrialReduction,
    Setting,
    TargetRatio,
    WholeSocietyEmission,
)
from .request import BatchCutoff, GradeHistory, GradeRequest, RequestAttachment, RequestEvent
from .season import Season
from .shared import SharedFigure, StoredChunk, StoredFile
from .stagger import REGIME_LABELS, REGIMES, StaggerNotice, StaggerRule
from .user import ROLE_LABELS, ROLES, User
from .version import ListVersion, VersionRow

__all__ = [
    "db", "AuditLog", "ImportBatch", "Job", "LoginThrottle", "County", "Enterprise", "Category", "CategoryReason",
    "MeasureType", "Grade", "GradeScheme",
    "Industry", "LineMeasure",
    "ProductionLine", "MeasureFloor", "Setting", "TargetRatio", "WholeSocietyEmission", "User",
    "BatchCutoff", "GradeHistory", "GradeRequest", "RequestAttachment", "RequestEvent",
    "Alert", "AlertStep", "Dispatch", "DispatchFile", "alert_county", "ListVersion", "VersionRow",
    "Notice", "NoticeBatch", "ApiToken",
    "PowerAccount", "PowerReading", "Inspection", "InspectionPhoto", "PositiveListEntry",
    "LEVELS", "LEVEL_LABELS", "POLLUTANTS", "POLLUTANT_LABELS", "ROLES", "ROLE_LABELS",
    "SharedFigure", "StoredChunk", "StoredFile",
    "Season", "StaggerRule", "StaggerNotice", "REGIMES", "REGIME_LABELS",
    "NonIndustrialReduction", "SOURCE_TYPES", "SOURCE_TYPE_LABELS", "NON_INDUSTRIAL_TYPES",
]
