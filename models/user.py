"""Users and their roles."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .base import TimestampMixin, db, one_of

# The one list of roles, with the groups the access checks use.
ROLES = ("admin", "city", "county", "enterprise")
ROLE_LABELS = {"admin": "系统管理员", "city": "市局工作人员", "county": "县（市、区）工作人员",
               "enterprise": "企业用户"}
STAFF = ("admin", "city", "county")     # the bureau's own people: every role but enterprise
CITYWIDE = ("admin", "city")            # staff who see the whole city


class User(UserMixin, TimestampMixin, db.Model):
    """A login: admin, city staff, county staff (one county) or enterprise (one enterprise)."""

    __tablename__ = "user"
    __table_args__ = (one_of("role", ROLES),)

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(60), nullable=False, unique=True)
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(20), nullable=False)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"))
    enterprise_id = db.Column(db.Integer, db.ForeignKey("enterprise.id", ondelete="SET NULL"))
    active = db.Column(db.Boolean, nullable=False, default=True)
    # Part of the session's user id (``get_id``): raising it ends every session the user has open
    # (emergency.accounts.users.end_sessions).
    session_epoch = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    # The person behind the login, shown wherever a name is printed (approvals, dispatches, receipts, the log).
    real_name = db.Column(db.String(40), nullable=False, default="", server_default="")
    unit = db.Column(db.String(100), nullable=False, default="", server_default="")
    phone = db.Column(db.String(40), nullable=False, default="", server_default="")

    county = db.relationship("County")
    enterprise = db.relationship("Enterprise")

    def get_id(self):
        """Flask-Login's alternative token: the id and the session epoch, so a raised epoch refuses old cookies."""
        return f"{self.id}:{self.session_epoch or 0}"

    @property
    def is_active(self):
        return self.active

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_staff(self):
        return self.role in STAFF

    @property
    def is_citywide(self):
        return self.role in CITYWIDE

    @property
    def display_name(self):
        """The real name with the login, e.g. "张明（county_zz）"; the login alone while no name is recorded."""
        return f"{self.real_name}（{self.username}）" if self.real_name else self.username

    @property
    def signature(self):
        """The display name as stored on what the user did (dispatches, receipts, decisions): 60 characters."""
        return self.display_name[:60]

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)
