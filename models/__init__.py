"""The data model: one module per entity, sharing the unbound ``db``."""
from .audit import AuditLog
from .base import db
from .county import County
from .enterprise import Enterprise
from .industry import Category, Grade, GradeScheme, Industry
from .line import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS, LineMeasure, ProductionLine
from .reference import MeasureFloor, Setting, TargetRatio, WholeSocietyEmission
from .user import ROLE_LABELS, ROLES, User

__all__ = [
    "db", "AuditLog", "County", "Enterprise", "Category", "Grade", "GradeScheme", "Industry", "LineMeasure",
    "ProductionLine", "MeasureFloor", "Setting", "TargetRatio", "WholeSocietyEmission", "User",
    "LEVELS", "LEVEL_LABELS", "POLLUTANTS", "POLLUTANT_LABELS", "ROLES", "ROLE_LABELS",
]
