"""The digest's domain model, split by concern; see editorial/README.md for the map."""

from .articles import QR_CAPTION_CODES, QR_CAPTION_MAX, Article, Figure, QrCaption
from .deliveries import Delivery, DeliveryEvent, DeliveryStatus, Mailing
from .documents import DocumentBuild, DocumentBuildStatus, PublishedDocument
from .editions import ApprovedEdition
from .issues import Issue, IssueStatus, MastheadMember, MastheadOrganisation
from .notifications import Notification, NotificationStatus
from .people import Organisation, Person
from .previews import PreviewLink
from .publications import CopyrightNotice, Publication, Section
from .records import Approval, AuditEntry, Comment, EditLock
from .renditions import Rendition, RenditionKind, RenditionStatus
from .search import SearchEntry, SearchGeneration
from .subscribers import (
    Consent,
    ConsentAction,
    ConsentSource,
    Subscriber,
    SubscriberFormat,
    SubscriberStatus,
)
from .wechat import WechatImage, WechatImageKind, WechatPush, WechatPushStatus

__all__ = [
    "Approval",
    "ApprovedEdition",
    "AuditEntry",
    "Comment",
    "Delivery",
    "DeliveryEvent",
    "DeliveryStatus",
    "Mailing",
    "Consent",
    "ConsentAction",
    "ConsentSource",
    "DocumentBuild",
    "DocumentBuildStatus",
    "EditLock",
    "Notification",
    "NotificationStatus",
    "Article",
    "CopyrightNotice",
    "Figure",
    "Issue",
    "IssueStatus",
    "MastheadMember",
    "MastheadOrganisation",
    "Organisation",
    "Person",
    "PreviewLink",
    "Publication",
    "PublishedDocument",
    "QR_CAPTION_CODES",
    "QR_CAPTION_MAX",
    "QrCaption",
    "Rendition",
    "RenditionKind",
    "RenditionStatus",
    "SearchEntry",
    "SearchGeneration",
    "Section",
    "Subscriber",
    "SubscriberFormat",
    "SubscriberStatus",
    "WechatImage",
    "WechatImageKind",
    "WechatPush",
    "WechatPushStatus",
]
