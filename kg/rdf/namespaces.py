"""The namespaces of :mod:`kg.iris` as rdflib namespaces, with the prefixes we bind.

``FZ`` is closed (``_fail = True``) so a misspelt term is an error, not a new IRI.
Its terms mirror ``ontology/kg.ttl``; a test checks the two agree.
"""
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD, DefinedNamespace

from kg import iris

__all__ = ["FZ", "OA", "UNIT", "KIND", "CONCEPT", "INDICATOR", "DIVISION", "DEFAULT_BASE", "PREFIXES",
           "CORPUS_PATH",
           "DCTERMS", "ORG", "OWL", "PROV", "QB", "RDF", "RDFS", "SKOS", "TIME", "XSD"]

DEFAULT_BASE = iris.DEFAULT_BASE
# Nodes shared by every report (government bodies, documents, the indicator data set, the
# corpus graph) are BASE + CORPUS_PATH + …; a report's own nodes are BASE + report id + "/…".
CORPUS_PATH = "corpus/"


class FZ(DefinedNamespace):
    """The project's ontology, ``http://example.org/fzzf#``."""

    _NS = Namespace(iris.FZ)
    _fail = True

    Activity: URIRef
    ActivityScheme: URIRef
    Agency: URIRef
    ArithmeticCheck: URIRef
    Body: URIRef
    ComparisonLink: URIRef
    Division: URIRef
    DivisionScheme: URIRef
    Document: URIRef
    Entity: URIRef
    EntityMerge: URIRef
    FollowThrough: URIRef
    Indicator: URIRef
    IndicatorObservation: URIRef
    IndicatorScheme: URIRef
    Measure: URIRef
    Mechanism: URIRef
    MechanismScheme: URIRef
    Metric: URIRef
    MetricKind: URIRef
    MetricKindScheme: URIRef
    Place: URIRef
    Plan: URIRef
    PolicyDocument: URIRef
    Problem: URIRef
    Report: URIRef
    ReportItem: URIRef
    RequiredPart: URIRef
    RequiredPartScheme: URIRef
    ScoredLink: URIRef
    ScoredOrComparisonLink: URIRef
    Section: URIRef
    SectionKind: URIRef
    SectionKindScheme: URIRef
    Series: URIRef
    SourceFile: URIRef
    Unit: URIRef
    UnitScheme: URIRef
    YearOnYearCheck: URIRef
    about: URIRef
    achievements: URIRef
    actor: URIRef
    addresses: URIRef
    adminLevel: URIRef
    appoints: URIRef
    approximate: URIRef
    canonicalKey: URIRef
    carriedOutBy: URIRef
    changeOf: URIRef
    changeReading: URIRef
    checkKind: URIRef
    checkStatus: URIRef
    checksMetric: URIRef
    computedValue: URIRef
    coversPart: URIRef
    cueAll: URIRef
    cueKind: URIRef
    cueMatter: URIRef
    cueNone: URIRef
    cueUnit: URIRef
    daysAfterDeadline: URIRef
    denominator: URIRef
    denotes: URIRef
    derived: URIRef
    division: URIRef
    divisionCode: URIRef
    earlierMetric: URIRef
    encoding: URIRef
    establishes: URIRef
    evidence: URIRef
    fileFormat: URIRef
    fileName: URIRef
    followStatus: URIRef
    fromItem: URIRef
    gap: URIRef
    heading: URIRef
    implements: URIRef
    impliedPrevious: URIRef
    inGroup: URIRef
    inReport: URIRef
    inSection: URIRef
    indicator: URIRef
    indicatorStructure: URIRef
    indicatorUnit: URIRef
    indicatorValue: URIRef
    issuedBy: URIRef
    issues: URIRef
    jurisdiction: URIRef
    lacksPart: URIRef
    laterMetric: URIRef
    laterValue: URIRef
    level: URIRef
    linkRelation: URIRef
    linkSource: URIRef
    linkTarget: URIRef
    locatedIn: URIRef
    mappingConfidence: URIRef
    mappingMethod: URIRef
    mentions: URIRef
    merge: URIRef
    mergeRule: URIRef
    mergedInto: URIRef
    mergedLabel: URIRef
    method: URIRef
    metricKind: URIRef
    metricStructure: URIRef
    nextReport: URIRef
    numerator: URIRef
    ofPlan: URIRef
    organizes: URIRef
    other: URIRef
    parentSection: URIRef
    partFirstResponsible: URIRef
    partMeasures: URIRef
    partOf: URIRef
    partPlans: URIRef
    partProblems: URIRef
    period: URIRef
    plans: URIRef
    position: URIRef
    problems: URIRef
    publicationDeadline: URIRef
    recursAs: URIRef
    refArea: URIRef
    refYear: URIRef
    score: URIRef
    scoreComponent: URIRef
    sectionKind: URIRef
    seriesMember: URIRef
    sha256: URIRef
    sharedTerm: URIRef
    site: URIRef
    sourceText: URIRef
    sourceURL: URIRef
    statedChange: URIRef
    statedPrevious: URIRef
    statedValue: URIRef
    subject: URIRef
    text: URIRef
    title: URIRef
    titleGram: URIRef
    unit: URIRef
    usesMetric: URIRef
    value: URIRef
    worksOn: URIRef
    year: URIRef
    yoyStatus: URIRef

class OA(DefinedNamespace):
    """The parts of the W3C Web Annotation vocabulary we use."""

    _NS = Namespace(iris.OA)
    _fail = True

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef


UNIT = Namespace(iris.UNIT)
KIND = Namespace(iris.KIND)
CONCEPT = Namespace(iris.CONCEPT)
INDICATOR = Namespace(iris.INDICATOR)
DIVISION = Namespace(iris.DIVISION)

PREFIXES = {
    "fz": str(FZ._NS),
    "unit": str(UNIT),
    "kind": str(KIND),
    "concept": str(CONCEPT),
    "ind": str(INDICATOR),
    "division": str(DIVISION),
    "oa": str(OA._NS),
    "org": str(ORG),
    "prov": str(PROV),
    "qb": str(QB),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "time": str(TIME),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}
