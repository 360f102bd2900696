"""Rule ids of eCTD assembly and validation (registered with :func:`indbuilder.rules.define`).

Bases cite ICH eCTD Specification v3.2.2 (ICH), FDA eCTD Technical Conformance Guide v1.8 (TCG),
FDA Module 1 specification v2.6 for us-regional v3.3 (FDA M1), and the NMPA eCTD validation standard
(eCTD验证标准, rule numbers as "NMPA n.m").
"""

from __future__ import annotations

from ..rules import define

# --- standards (util/dtd, util/style) -----------------------------------------------------------
define("ectd.standard-missing", "error", "A required eCTD standard file (DTD/XSD/XSL) is not installed",
       "Without it the sequence is not submission-ready: util/dtd and util/style must hold the official files.",
       "NMPA 2.7; ICH eCTD v3.2.2 §util folder")
define("ectd.standard-checksum", "error", "A standard file does not match its published checksum",
       "util files must be byte-identical to the files ICH/FDA/NMPA publish; a re-saved or line-ending-"
       "normalised copy is rejected.", "NMPA 2.7 ('checksum必须符合ICH/NMPA发布的值')")
define("ectd.standard-unverified", "warning", "A standard file has no published checksum to verify against",
       "No agency publishes a checksum for the file; it matches (or not) only the reference copy indbuilder "
       "records, which is not a check by the agency. Reported once by `indbuilder standards status` (and by "
       "`build --strict`), not on every build: compare the file with the official package before submitting.",
       "NMPA 2.7")
define("ectd.standard-differs", "warning", "A standard file differs from the known reference copy",
       "No official checksum is published for this file and it differs from the reference copy we recorded.",
       "NMPA 2.7")
define("ectd.standards-source", "error", "A standard file cannot be installed from the given source",
       "Without --from, indbuilder downloads the files that have a stable official address (the FDA DTD, "
       "the ICH DTD package) and verifies them, and says where to get each other file; the NMPA files are "
       "published only inside the NMPA eCTD技术规范V1.1附件包 and are installed with --from <that ZIP or "
       "folder>. With --from, each source must be a folder or a ZIP file that holds the files.", "ICH eCTD v3.2.2 util folder; FDA M1 spec v2.6 Appendix 2; "
       "NMPA eCTD验证标准 2.7")

# --- input and naming ---------------------------------------------------------------------------
define("ectd.unknown-node", "error", "A document is filed under an element the region's backbone does not define",
       "node_id must be an element name of ich-ectd-3-2.dtd (m2-m5), us-regional-v3-3.dtd (FDA m1, or "
       "form:<code>) or cn-regional-1-0.xsd (NMPA m1) that can hold leaves.", "ICH eCTD v3.2.2 Appendix 3")
define("ectd.duplicate-doc-id", "error", "Two documents share one doc_id",
       "doc_id keys the leaf ID and the lifecycle, so it must be unique within a sequence.", "ICH eCTD v3.2.2 (ID)")
define("ectd.name-derived", "info", "A file name was derived because the name hint was not compliant",
       "File names must be lowercase a-z, 0-9 and '-', with one extension, at most 64 characters.",
       "ICH eCTD v3.2.2 Appendix 2; NMPA 2.4/2.5")
define("ectd.file-name", "error", "A file or folder name breaks the eCTD naming rules",
       "Names use lowercase a-z, 0-9 and '-' only, one extension for files, at most 64 characters.",
       "ICH eCTD v3.2.2 Appendix 2; NMPA 2.4/2.5")
define("ectd.path-too-long", "error", "A path from the sequence folder exceeds 150 characters",
       "", "FDA TCG v1.8 §2.4 ('the length of the entire path must not exceed 150 characters')")
define("ectd.heading-attribute-missing", "error", "A repeatable heading lacks a required attribute value",
       "substance/manufacturer (3.2.S, 2.3.S) and indication (2.7.3, 5.3.5) are #REQUIRED and must be non-empty.",
       "ich-ectd-3-2.dtd ATTLIST; NMPA 3.25-3.27; FDA TCG §4.1")
define("ectd.leaf-title", "error", "A leaf title is empty, padded or too long",
       "Titles must be non-empty, without leading/trailing spaces, at most 512 characters.",
       "NMPA 3.18/3.20; FDA TCG v1.8 §2.4 (512 characters)")
define("ectd.region-mismatch", "error", "A document or setting does not belong to the sequence's region", "", "")
define("ectd.xml-text", "error", "A title or envelope value contains characters XML cannot carry",
       "Control characters (other than tab, newline, carriage return) are not allowed in XML 1.0.",
       "W3C XML 1.0 §2.2")
define("ectd.empty-sequence", "warning", "The sequence changes no document",
       "Every document equals the current version in the earlier sequences.", "NMPA 3.21")

# --- XML safety and backbone validity -----------------------------------------------------------
define("ectd.xml-unsafe", "error", "An XML file declares entities (possible external-entity attack)",
       "eCTD backbones never need entity declarations; they are reported and never expanded.", "")
define("ectd.xml-malformed", "error", "An XML file is missing or not well-formed", "", "NMPA 3.1/3.3/4.1.1")
define("ectd.backbone-invalid", "error", "A backbone or study tagging file is not valid against its DTD/XSD",
       "", "NMPA 3.3/4.1.3; ICH eCTD v3.2.2; FDA validation criteria (DTD validity)")
define("ectd.doctype", "error", "index.xml does not reference the util DTD", "", "NMPA 3.2")
define("ectd.index-md5-mismatch", "error", "index-md5.txt does not hold the MD5 of index.xml",
       "", "NMPA 3.15; ICH eCTD v3.2.2")

# --- files and leaves ---------------------------------------------------------------------------
define("ectd.checksum-mismatch", "error", "A leaf's checksum does not match its file", "", "NMPA 3.14/4.1.x; FDA")
define("ectd.checksum-type", "error", "A leaf's checksum-type is not md5", "", "NMPA 3.13")
define("ectd.href-missing", "error", "A leaf references a file that does not exist", "", "NMPA 3.4")
define("ectd.href-form", "error", "A leaf reference is not a relative path with '/' inside the sequence",
       "", "NMPA 3.12")
define("ectd.unreferenced-file", "error", "A file under m1-m5 is not referenced by any backbone", "", "NMPA 2.3")
define("ectd.extra-in-root", "error", "The sequence folder holds something other than index.xml, "
       "index-md5.txt, m1-m5 and util", "", "NMPA 2.8")
define("ectd.empty-folder", "error", "A folder in the sequence is empty", "", "NMPA 2.1")
define("ectd.sequence-folder", "error", "The sequence folder name is not 4 digits", "", "NMPA 2.9")

# --- lifecycle ----------------------------------------------------------------------------------
define("ectd.sequence-gap", "error", "Sequence numbers must start at 0000 and increase by one without gaps",
       "", "NMPA 2.10")
define("ectd.sequence-submitted", "error", "The sequence has been submitted and is never rewritten",
       "A submitted sequence is marked by NNNN.submitted.yaml next to it in the history folder.", "")
define("ectd.sequence-not-latest", "error", "An earlier sequence cannot be rebuilt while later ones exist", "", "")
define("ectd.submitted-modified", "error", "A submitted sequence's index.xml changed after it was marked submitted",
       "", "")
define("ectd.operation-attributes", "error", "A leaf's operation does not fit its href/modified-file",
       "new: href, no modified-file; replace/append: href and modified-file; delete: modified-file, no href.",
       "NMPA 3.7-3.9; ICH eCTD v3.2.2 lifecycle")
define("ectd.first-sequence-new", "error", "Sequence 0000 may only contain operation 'new'", "", "NMPA 3.10")
define("ectd.modified-file-target", "error", "A modified-file target does not exist in an earlier sequence",
       "", "NMPA 3.11")
define("ectd.modified-file-duplicate", "error", "A leaf is the modified-file of two leaves in one sequence",
       "", "NMPA 3.5")
define("ectd.replace-identical", "error", "A replace/append leaf has the same content as the leaf it modifies",
       "", "NMPA 3.6")
define("ectd.delete-title", "error", "A delete leaf's title differs from the title of the deleted leaf",
       "", "NMPA 3.19")
define("ectd.lifecycle-branch", "error", "A leaf modifies a version that an intermediate sequence already replaced "
       "or deleted", "modified-file must name the current version of the document.", "NMPA 3.30-3.34")
define("ectd.replace-language", "warning", "A replace leaf's xml:lang differs from the leaf it replaces", "",
       "NMPA 3.36")
define("ectd.empty-heading", "error", "A heading element holds no leaf",
       "Omit headings that reference no files.", "NMPA 3.21/4.1.20; FDA M1 spec v2.6 §VI")
define("ectd.m1-regional-leaf", "error", "index.xml has no Module 1 leaf pointing at the regional backbone", "",
       "NMPA 3.22; ICH eCTD v3.2.2 (regional M1)")
define("ectd.envelope-changed", "error", "An application-level envelope value differs from the earlier sequences",
       "Application number/id, application and product type and the applicant DUNS stay the same for the life "
       "of an application.", "NMPA 4.2.x; FDA TCG v1.8 §3.1.1")
define("ectd.document-relocated", "warning", "A document moved to another heading (deleted and re-filed)",
       "", "NMPA 3.24")
define("ectd.title-only-change", "info", "A document's title changed but its content did not; not replaced",
       "Replacing identical content is not allowed.", "NMPA 3.6")
define("ectd.heading-attributes-drift", "warning",
       "A repeatable heading's attributes partly match an earlier sequence's (e.g. same substance, other manufacturer)",
       "Attribute values must match exactly across sequences, or review tools show duplicate sections.",
       "FDA TCG v1.8 §4.1")
define("ectd.history-unreadable", "error", "An earlier sequence in the history folder cannot be read", "", "")

# --- regional -----------------------------------------------------------------------------------
define("ectd.node-extension", "error", "node-extension is not allowed here",
       "FDA accepts no node extensions; NMPA allows them only in 3.2.R for biologics and never in cn-regional.",
       "FDA TCG v1.8 §5; NMPA 3.16/4.1.16")
define("ectd.fda-application-number", "error", "FDA application number must be 6 digits",
       "", "FDA M1 spec v2.6 ('six (6)-digit … only numeric digits, including any leading zeros')")
define("ectd.fda-duns", "error", "Applicant id must be a 9-digit DUNS number", "", "FDA TCG v1.8 §3.1.1")
define("ectd.fda-code", "error", "An FDA us-regional code is not a v3.3 code of the right list",
       "", "FDA M1 spec v2.6; FDA code lists (application-type, applicant-contact-type, telephone-number-type)")
define("ectd.fda-field-length", "error", "An FDA us-regional field exceeds its length limit",
       "submission-description <= 128, telephone and email <= 64 characters.", "FDA M1 spec v2.6")
define("ectd.fda-form-missing", "error", "An IND sequence carries no Form FDA 1571 (form-type fdaft1)",
       "Every IND submission (original, amendments, reports) is accompanied by its own signed Form FDA 1571.",
       "21 CFR 312.23(a)(1), 312.30-312.33; FDA eCTD validation (required fillable form missing: high)")
define("ectd.fda-form-type", "warning", "A form-type code is not one we can confirm", "", "FDA M1 spec v2.6")
define("ectd.stf-missing", "error", "A study report in 4.2.x or 5.3.1-5.3.5 has no study tagging file",
       "", "FDA TCG v1.8 §2.8; NMPA 5.17")
define("ectd.stf-reference", "error", "A study tagging file references a leaf that does not exist", "", "NMPA 5.x")
define("ectd.stf-title", "warning", "An STF doc-content title differs from the leaf title it tags", "",
       "FDA eCTD validation criteria 1950/1952 (STF title vs leaf title)")
define("ectd.stf-file-tag", "warning", "An STF file-tag is not an ICH/regional valid value", "",
       "ICH STF v2.2 valid-values.xml")
define("ectd.cn-code", "error", "An NMPA envelope code is not in its controlled vocabulary", "", "NMPA 4.2.x")
define("ectd.cn-code-combination", "error", "The application/activity/sequence type combination is not allowed",
       "", "NMPA 4.2.x (depend-apt-rat-sqt.xml)")
define("ectd.cn-related-sequence", "error", "related-sequence breaks the NMPA rules", "", "NMPA 4.2.x")
define("ectd.cn-description", "error", "sequence-description must be non-empty and at most 120 characters",
       "", "NMPA 4.2.x")
define("ectd.cn-sequence-number", "error", "cn-regional sequence-number differs from the sequence folder",
       "", "NMPA 4.1.22")
define("ectd.cover-letter-new", "error", "A cover letter leaf must have operation 'new'", "", "NMPA 4.1.14")
define("ectd.cn-mandatory-node", "error", "An IND-mandatory NMPA Module 1 node is missing", "", "NMPA 4.3.5")
define("ectd.cn-forbidden-node", "error", "An NMPA Module 1 node not allowed for an IND is present", "", "NMPA 4.3.6")
define("ectd.cn-application-folder", "warning", "The application folder name differs from the application id",
       "", "NMPA 4.1.21")
