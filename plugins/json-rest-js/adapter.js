// json-rest-js: a truc codec adapter, in JavaScript, for a QLVB with a JSON REST API whose field
// names are its own (snake_case English) and whose dates are ISO 8601, in UTC or with an offset.
// See README.md for the format. Every canonical field has a place in it, so nothing is lost.
import { BlobWriter } from "truc:adapter/blobs@0.1.0";
import { DateError, formatDate, formatDateTime, parseDate, parseDateTime } from "./dates.js";

const NAME = "json-rest-js";
const VERSION = "1.0.0";
const CONTENT_TYPE = "application/json";
// The whole payload is read into the sandbox to parse it; attachment bytes are not (the hub
// decodes and encodes their base64).
const MAX_INPUT = 64 * 1024 * 1024;
const B64_CHUNK = 3 * 256 * 1024;

const STATES = {
  "01": "received", "02": "rejected", "03": "accepted", "04": "assigned", "05": "processing",
  "06": "completed", "13": "revoke-request", "15": "agreed", "16": "refused",
};

// A thrown `{ tag, val }` is the call's `err`; `location` is a JSON path (`items[0].issuer`).
class Problem {
  constructor(tag, message, location) {
    this.tag = tag;
    this.val = { message, location };
  }
}
const malformed = (message, location) => new Problem("malformed", message, location);

// --- reading JSON values with their paths --------------------------------------------------

function kind(v) {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

function obj(v, path) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw malformed(`expected an object, found ${kind(v)}`, path);
  return v;
}

function str(o, key, path, required = false) {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw malformed(`\`${key}\` is required`, `${path}.${key}`);
    return "";
  }
  if (typeof v !== "string") throw malformed(`expected a string, found ${kind(v)}`, `${path}.${key}`);
  return v;
}

function arr(o, key, path) {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw malformed(`expected an array, found ${kind(v)}`, `${path}.${key}`);
  return v;
}

function int(o, key, path, max) {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > max) throw malformed(`expected a whole number from 0 to ${max}`, `${path}.${key}`);
  return v;
}

function bool(o, key, path) {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw malformed(`expected true or false, found ${kind(v)}`, `${path}.${key}`);
  return v;
}

function when(o, key, path, parse) {
  const text = str(o, key, path);
  if (!text) return undefined;
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof DateError) throw malformed(e.message, `${path}.${key}`);
    throw e;
  }
}

const strings = (o, key, path) =>
  arr(o, key, path).map((v, i) => {
    if (typeof v !== "string") throw malformed(`expected a string, found ${kind(v)}`, `${path}.${key}[${i}]`);
    return v;
  });

// --- decode --------------------------------------------------------------------------------

function organ(v, path) {
  const o = obj(v, path);
  return {
    id: str(o, "organ_code", path, true),
    organizationInCharge: str(o, "parent_organ", path),
    name: str(o, "organ_name", path),
    address: str(o, "address", path),
    email: str(o, "email", path),
    telephone: str(o, "phone", path),
    fax: str(o, "fax", path),
    website: str(o, "website", path),
  };
}

function staff(v, path) {
  const o = obj(v, path);
  return {
    department: str(o, "department", path),
    name: str(o, "full_name", path),
    mobile: str(o, "mobile", path),
    email: str(o, "email", path),
  };
}

function reference(v, path) {
  const o = obj(v, path);
  return {
    organId: str(o, "organ_code", path),
    code: str(o, "symbol", path),
    promulgationDate: when(o, "issued_at", path, parseDate),
    documentId: str(o, "edoc_id", path, true),
  };
}

function operation(v, path) {
  const o = obj(v, path);
  const k = str(o, "kind", path) || "new";
  let action;
  if (k === "new") action = { tag: "new" };
  else if (k === "revoke") action = { tag: "revoke", val: str(o, "target", path, true) };
  else if (k === "update")
    action = {
      tag: "update",
      val: {
        target: str(o, "target", path, true),
        metadataChanged: bool(o, "metadata_changed", path) ?? false,
        receiversChanged: bool(o, "receivers_changed", path) ?? false,
        receiverChanges: arr(o, "receiver_changes", path).map((c, i) => {
          const p = `${path}.receiver_changes[${i}]`;
          const change = str(obj(c, p), "change", p, true);
          if (change !== "added" && change !== "removed") throw malformed("expected `added` or `removed`", `${p}.change`);
          return { organId: str(c, "organ_code", p, true), kind: change };
        }),
      },
    };
  else if (k === "replace")
    action = {
      tag: "replace",
      val: {
        target: str(o, "target", path, true),
        replacements: arr(o, "replacements", path).map((r, i) => {
          const p = `${path}.replacements[${i}]`;
          return { documentId: str(obj(r, p), "edoc_id", p, true), organIds: strings(r, "organ_codes", p) };
        }),
      },
    };
  else if (k === "other") action = { tag: "other", val: int(o, "code", path, 0xffffffff) ?? 0 };
  else throw malformed(`\`${k}\` is not an operation (new, revoke, update, replace, other)`, `${path}.kind`);
  return {
    action,
    reason: str(o, "reason", path),
    paper: bool(o, "paper_copy", path) ?? false,
    staff: o.clerk == null ? undefined : staff(o.clerk, `${path}.clerk`),
  };
}

function attachment(v, path) {
  const o = obj(v, path);
  const writer = new BlobWriter();
  try {
    writer.writeBase64(str(o, "content_base64", path));
  } catch (e) {
    // The hub names the position of bad base64; a spent output budget fails the call anyway.
    throw malformed(`not valid base64: ${e?.payload ?? e}`, `${path}.content_base64`);
  }
  return {
    contentId: str(o, "cid", path, true),
    name: str(o, "filename", path),
    description: str(o, "caption", path),
    contentType: str(o, "media_type", path),
    body: BlobWriter.finish(writer),
  };
}

function document(o, path) {
  const type = o.doc_type == null ? {} : obj(o.doc_type, `${path}.doc_type`);
  const signer = o.signer == null ? {} : obj(o.signer, `${path}.signer`);
  const steering = int(o, "steering_type", path, 255);
  return {
    id: str(o, "edoc_id", path, true),
    sender: organ(o.issuer, `${path}.issuer`),
    receivers: arr(o, "receivers", path).map((r, i) => organ(r, `${path}.receivers[${i}]`)),
    code: { number: str(o, "doc_number", path), notation: str(o, "doc_symbol", path) },
    promulgation: { place: str(o, "issue_place", path), date: when(o, "issued_at", path, parseDate) },
    documentType: {
      code: str(type, "id", `${path}.doc_type`),
      detail: str(type, "sub_id", `${path}.doc_type`),
      name: str(type, "label", `${path}.doc_type`),
    },
    subject: str(o, "abstract", path, true),
    content: str(o, "body_summary", path),
    signer: {
      competence: str(signer, "authority", `${path}.signer`),
      position: str(signer, "title", `${path}.signer`),
      fullName: str(signer, "full_name", `${path}.signer`),
    },
    dueDate: when(o, "due_at", path, parseDate),
    toPlaces: strings(o, "recipients_text", path),
    other: {
      priority: int(o, "urgency_level", path, 4) ?? 0,
      sphereOfPromulgation: str(o, "circulation", path),
      typerNotation: str(o, "drafter_initials", path),
      promulgationAmount: int(o, "copy_count", path, 0xffffffff),
      pageAmount: int(o, "page_count", path, 0xffffffff),
      appendixes: strings(o, "appendix_titles", path),
      direction: bool(o, "direction", path),
    },
    responseFor: arr(o, "in_reply_to", path).map((r, i) => reference(r, `${path}.in_reply_to[${i}]`)),
    steeringType: steering,
    applicationType: o.application_type == null ? undefined : str(o, "application_type", path),
    business: operation(o.operation ?? {}, `${path}.operation`),
    traces: arr(o, "hops", path).map((h, i) => {
      const p = `${path}.hops[${i}]`;
      return { organId: str(obj(h, p), "organ_code", p, true), timestamp: when(h, "at", p, parseDateTime) };
    }),
    attachments: arr(o, "attachments", path).map((a, i) => attachment(a, `${path}.attachments[${i}]`)),
  };
}

function status(o, path) {
  const state = str(o, "state", path, true);
  const code = /^\d$/.test(state) ? `0${state}` : state;
  if (code.length !== 2) throw malformed(`\`${state}\` is not a two-digit state code`, `${path}.state`);
  return {
    sender: organ(o.reporter, `${path}.reporter`),
    responseFor: reference(o.about, `${path}.about`),
    staff: o.handler == null ? { department: "", name: "", mobile: "", email: "" } : staff(o.handler, `${path}.handler`),
    code: STATES[code] ? { tag: STATES[code] } : { tag: "other", val: code },
    description: str(o, "comment", path),
    timestamp: when(o, "occurred_at", path, parseDateTime),
  };
}

function item(v, path) {
  const o = obj(v, path);
  const k = str(o, "kind", path, true);
  if (k === "document") return { tag: "document", val: document(o, path) };
  if (k === "status") return { tag: "status", val: status(o, path) };
  throw malformed(`\`${k}\` is not a kind of item (document, status)`, `${path}.kind`);
}

function readAll(blob) {
  const size = blob.size();
  if (size === 0n) throw malformed("the payload is empty: a JSON object with `items` is expected", "byte 0");
  if (size > BigInt(MAX_INPUT)) throw malformed(`the payload is ${size} bytes, more than this adapter reads (${MAX_INPUT})`);
  const bytes = blob.read(0n, Number(size));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw malformed("the payload is not UTF-8 text");
  }
}

// --- encode --------------------------------------------------------------------------------

const organOut = (o) => ({
  organ_code: o.id, organ_name: o.name, parent_organ: o.organizationInCharge, address: o.address,
  email: o.email, phone: o.telephone, fax: o.fax, website: o.website,
});
const staffOut = (s) => ({ department: s.department, full_name: s.name, mobile: s.mobile, email: s.email });
const referenceOut = (r) => ({
  organ_code: r.organId, symbol: r.code,
  issued_at: r.promulgationDate ? formatDate(r.promulgationDate) : null, edoc_id: r.documentId,
});
const orNull = (v) => (v === undefined ? null : v);

function operationOut(b) {
  const a = b.action;
  const out = { kind: a.tag };
  if (a.tag === "revoke") out.target = a.val;
  if (a.tag === "update") {
    Object.assign(out, {
      target: a.val.target, metadata_changed: a.val.metadataChanged, receivers_changed: a.val.receiversChanged,
      receiver_changes: a.val.receiverChanges.map((c) => ({ organ_code: c.organId, change: c.kind })),
    });
  }
  if (a.tag === "replace") {
    Object.assign(out, {
      target: a.val.target,
      replacements: a.val.replacements.map((r) => ({ edoc_id: r.documentId, organ_codes: r.organIds })),
    });
  }
  if (a.tag === "other") out.code = a.val;
  return Object.assign(out, { reason: b.reason, paper_copy: b.paper, clerk: b.staff ? staffOut(b.staff) : null });
}

function base64Of(blob) {
  const size = blob.size();
  const pieces = [];
  for (let offset = 0n; offset < size; offset += BigInt(B64_CHUNK)) pieces.push(blob.readBase64(offset, B64_CHUNK));
  return pieces.join("");
}

function documentOut(d) {
  return {
    kind: "document",
    edoc_id: d.id,
    issuer: organOut(d.sender),
    receivers: d.receivers.map(organOut),
    doc_number: d.code.number,
    doc_symbol: d.code.notation,
    issue_place: d.promulgation.place,
    issued_at: d.promulgation.date ? formatDate(d.promulgation.date) : null,
    doc_type: { id: d.documentType.code, sub_id: d.documentType.detail, label: d.documentType.name },
    abstract: d.subject,
    body_summary: d.content,
    signer: { authority: d.signer.competence, title: d.signer.position, full_name: d.signer.fullName },
    due_at: d.dueDate ? formatDate(d.dueDate) : null,
    recipients_text: d.toPlaces,
    urgency_level: d.other.priority,
    circulation: d.other.sphereOfPromulgation,
    drafter_initials: d.other.typerNotation,
    copy_count: orNull(d.other.promulgationAmount),
    page_count: orNull(d.other.pageAmount),
    appendix_titles: d.other.appendixes,
    direction: orNull(d.other.direction),
    in_reply_to: d.responseFor.map(referenceOut),
    steering_type: orNull(d.steeringType),
    application_type: orNull(d.applicationType),
    operation: operationOut(d.business),
    hops: d.traces.map((t) => ({ organ_code: t.organId, at: t.timestamp ? formatDateTime(t.timestamp) : null })),
    attachments: d.attachments.map((a) => ({
      cid: a.contentId, filename: a.name, caption: a.description, media_type: a.contentType, content_base64: base64Of(a.body),
    })),
  };
}

function statusOut(s) {
  return {
    kind: "status",
    reporter: organOut(s.sender),
    about: referenceOut(s.responseFor),
    handler: staffOut(s.staff),
    state: s.code.tag === "other" ? s.code.val : Object.keys(STATES).find((k) => STATES[k] === s.code.tag),
    comment: s.description,
    occurred_at: s.timestamp ? formatDateTime(s.timestamp) : null,
  };
}

export const codec = {
  describe() {
    return {
      name: NAME, version: VERSION, vendor: "truc project (example adapter)", formats: [CONTENT_TYPE],
      description: "A QLVB with a JSON REST API: its own field names, ISO 8601 dates in any zone.",
    };
  },

  decode(input) {
    const text = readAll(input.body);
    let root;
    try {
      root = JSON.parse(text);
    } catch (e) {
      // SpiderMonkey says where: "… at line 3 column 7 of the JSON data".
      const at = /line \d+ column \d+/.exec(String(e.message));
      throw malformed(`not valid JSON: ${e.message}`, at ? at[0] : undefined);
    }
    const items = arr(obj(root, "$"), "items", "$");
    if (items.length === 0) throw malformed("`items` is empty: nothing to decode", "$.items");
    return items.map((v, i) => item(v, `$.items[${i}]`));
  },

  encode(message) {
    const item = message.tag === "document" ? documentOut(message.val) : statusOut(message.val);
    const writer = new BlobWriter();
    writer.write(new TextEncoder().encode(JSON.stringify({ items: [item] }, null, 2) + "\n"));
    return { contentType: CONTENT_TYPE, body: BlobWriter.finish(writer) };
  },
};
