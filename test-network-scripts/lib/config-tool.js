// Channel-configuration helpers for the network scripts, on the JSON that Fabric's configtxlator
// produces and reads (proto_decode / proto_encode). No dependencies: the scripts must work without a build.
//
//   block-config <block.json>                       the channel config inside a decoded config block
//   harden <in.json> <out.json>                      every org group (and each of its values and policies) gets
//                                                    the mod_policy of its parent's Admins (block or config)
//   add-org <config.json> <org.json> <mspId> <host> <peerPort> <out.json>
//                                                    the config with a new application org (configtxgen -printOrg
//                                                    output), its anchor peer, hardened like the others
//   wrap-update <update.json> <channel> <out.json>  a ConfigUpdate wrapped in an envelope for `peer channel update`
//   fix-data-hash <in.pb> <out.pb>                  a block with its header's data_hash recomputed from its data
//   policy <dsl>                                     a signature policy in canonical form (AND/OR/OutOf, no spaces)
//   policy-of <json-from-queryapproved|querycommitted>  the canonical form of a chaincode definition's policy
//   set-policy <config.json> <out.json> <dsl> <path>...
//                                                    the config with each policy at PATH (below /Channel, e.g.
//                                                    Admins, Application/Admins, Application/LifecycleEndorsement)
//                                                    set to the signature policy DSL
//   msp-root <config.json> <out.json> <mspId> add|remove <ca.pem>
//                                                    the config with CA.PEM added to (removed from) the org's MSP
//                                                    root and TLS root certificates (a CA rotation)
//   check <config.json|block.json> <observer MSP IDs, comma separated>
//                                                    who can change each element of the config: fails (exit 1)
//                                                    when the non-observer orgs together, or the observers
//                                                    alone, can change any of them
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const fail = (message) => {
  process.stderr.write(`config-tool: ${message}\n`);
  process.exit(1);
};

/** The config of a decoded config block, or VALUE itself when it already is a config. */
function configOf(value) {
  if (value && value.channel_group) return value;
  const config = value?.data?.data?.[0]?.payload?.data?.config;
  if (!config) fail('not a channel config nor a config block');
  return config;
}

// ---------------------------------------------------------------------------------------------
// Hardening: configtxgen gives every org group, and each of its values (MSP, AnchorPeers, Endpoints)
// and policies, the mod_policy "Admins", the org's own Admins policy. So one org's admin alone can
// rewrite its MSP (new root CAs, NodeOUs), its policies and its anchor peers. We point them at the
// Admins policy of the group the org sits in (/Channel/Application or /Channel/Orderer), which needs
// an observer admin and a city or department admin.

function hardenOrg(org, modPolicy) {
  org.mod_policy = modPolicy;
  for (const item of [...Object.values(org.values ?? {}), ...Object.values(org.policies ?? {})]) item.mod_policy = modPolicy;
}

function hardenConfig(config) {
  for (const section of ['Application', 'Orderer']) {
    const group = config.channel_group.groups?.[section];
    if (!group) continue;
    for (const org of Object.values(group.groups ?? {})) hardenOrg(org, `/Channel/${section}/Admins`);
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Minimal protobuf reading and writing: enough to recompute a block's data hash and to read a
// chaincode definition's validation parameter, without a protobuf library.

function readVarint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7n;
  }
}

function fields(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      value = buf.subarray(pos, pos + Number(len));
      pos += Number(len);
    } else if (wire === 1) { value = buf.subarray(pos, pos + 8); pos += 8; }
    else if (wire === 5) { value = buf.subarray(pos, pos + 4); pos += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
    out.push({ field, wire, value, raw: buf.subarray(start, pos) });
  }
  return out;
}

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

const bytesField = (field, bytes) => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);

/** Block { 1: header { 1: number, 2: previous_hash, 3: data_hash }, 2: data { 1: repeated bytes }, 3: metadata }. */
function fixDataHash(block) {
  const top = fields(block);
  const data = top.find((f) => f.field === 2);
  const header = top.find((f) => f.field === 1);
  if (!data || !header) throw new Error('not a block');
  const hash = crypto.createHash('sha256').update(Buffer.concat(fields(data.value).filter((f) => f.field === 1).map((f) => f.value))).digest();
  const headerFields = fields(header.value).filter((f) => f.field !== 3);
  const newHeader = Buffer.concat([...headerFields.map((f) => f.raw), bytesField(3, hash)]);
  return Buffer.concat([bytesField(1, newHeader), ...top.filter((f) => f.field !== 1).map((f) => f.raw)]);
}

// ---------------------------------------------------------------------------------------------
// Signature policies: Fabric's DSL (AND, OR, OutOf over 'MSP.role') and the protobuf/JSON forms,
// all brought to one canonical text so that two policies can be compared.

const ROLES = ['member', 'admin', 'client', 'peer', 'orderer'];

function parseDsl(text) {
  const tokens = text.match(/'[^']*'|"[^"]*"|[A-Za-z]+|\d+|[(),]/g) ?? [];
  if (tokens.join('') !== text.replace(/\s+/g, '')) throw new Error(`cannot parse policy ${text}`);
  let i = 0;
  const expr = () => {
    const token = tokens[i++];
    if (token === undefined) throw new Error(`policy ${text} ends early`);
    if (/^['"]/.test(token)) {
      const principal = token.slice(1, -1);
      const m = /^([A-Za-z0-9.-]+)\.(member|admin|client|peer|orderer)$/.exec(principal);
      if (!m) throw new Error(`bad principal ${principal} in ${text}`);
      return { principal: `${m[1]}.${m[2]}` };
    }
    const fn = token.toLowerCase();
    if (!['and', 'or', 'outof'].includes(fn) || tokens[i++] !== '(') throw new Error(`bad policy ${text} at ${token}`);
    let n;
    if (fn === 'outof') {
      n = Number(tokens[i++]);
      if (tokens[i++] !== ',') throw new Error(`bad OutOf in ${text}`);
    }
    const rules = [expr()];
    while (tokens[i] === ',') { i++; rules.push(expr()); }
    if (tokens[i++] !== ')') throw new Error(`bad policy ${text}: missing )`);
    return { n: fn === 'and' ? rules.length : fn === 'or' ? 1 : n, rules };
  };
  const tree = expr();
  if (i !== tokens.length) throw new Error(`trailing text in policy ${text}`);
  return tree;
}

function canonical(tree) {
  if (tree.principal !== undefined) return `'${tree.principal}'`;
  const inner = tree.rules.map(canonical).join(',');
  if (tree.n === 1) return `OR(${inner})`;
  if (tree.n === tree.rules.length) return `AND(${inner})`;
  return `OutOf(${tree.n},${inner})`;
}

/** MSPRole bytes { 1: msp_identifier, 2: role }. */
function mspRole(bytes) {
  const f = fields(bytes);
  const msp = f.find((x) => x.field === 1)?.value.toString('utf8') ?? '';
  const role = Number(f.find((x) => x.field === 2)?.value ?? 0n);
  return `${msp}.${ROLES[role] ?? `role${role}`}`;
}

/** SignaturePolicyEnvelope bytes { 2: rule, 3: identities }, rule { 1: signed_by, 2: n_out_of { 1: n, 2: rules } }. */
function treeOfEnvelopeBytes(bytes) {
  const f = fields(bytes);
  const identities = f.filter((x) => x.field === 3).map((x) => {
    const p = fields(x.value);
    const classification = Number(p.find((y) => y.field === 1)?.value ?? 0n);
    const principal = p.find((y) => y.field === 2)?.value ?? Buffer.alloc(0);
    return classification === 0 ? mspRole(principal) : `classification${classification}:${principal.toString('base64')}`;
  });
  const rule = (b) => {
    const r = fields(b);
    const signedBy = r.find((x) => x.field === 1);
    const nOutOf = r.find((x) => x.field === 2);
    if (nOutOf) {
      const o = fields(nOutOf.value);
      return { n: Number(o.find((x) => x.field === 1)?.value ?? 0n), rules: o.filter((x) => x.field === 2).map((x) => rule(x.value)) };
    }
    return { principal: identities[Number(signedBy?.value ?? 0n)] };
  };
  const r = f.find((x) => x.field === 2);
  return r ? rule(r.value) : { n: 1, rules: [] };
}

/** The canonical policy of a chaincode definition as `peer lifecycle chaincode querycommitted|queryapproved -O json` print it. */
function definitionPolicy(definition) {
  const bytes = Buffer.from(definition.validation_parameter ?? '', 'base64');
  // ApplicationPolicy { 1: signature_policy, 2: channel_config_policy_reference }
  const f = fields(bytes);
  const sig = f.find((x) => x.field === 1);
  if (sig) return canonical(treeOfEnvelopeBytes(sig.value));
  const ref = f.find((x) => x.field === 2);
  if (ref) return `ref:${ref.value.toString('utf8')}`;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Who can change what. A config element (group, value, policy) can be changed by whoever satisfies its
// mod_policy, resolved as Fabric's configtx validator does (relative to the element's group, or absolute
// from /Channel). A set of orgs satisfies a signature policy when enough of its principals belong to
// them: the orgs can issue any role of their own MSP, so the role does not matter.

/** Signature policy JSON (configtxlator) → tree. */
function treeOfSignatureJson(value) {
  const identities = (value.identities ?? []).map((id) => {
    if (id.principal_classification === 'ROLE' || id.principal_classification === undefined) {
      const p = id.principal;
      if (typeof p === 'string') return mspRole(Buffer.from(p, 'base64'));
      return `${p.msp_identifier}.${String(p.role ?? 'MEMBER').toLowerCase()}`;
    }
    return `${id.principal_classification}:${JSON.stringify(id.principal)}`;
  });
  const rule = (r) => (r.n_out_of ? { n: r.n_out_of.n ?? 0, rules: (r.n_out_of.rules ?? []).map(rule) } : { principal: identities[r.signed_by ?? 0] });
  return rule(value.rule ?? {});
}

function describePolicy(policy) {
  if (!policy) return '(none: nobody)';
  if (policy.type === 1) return canonical(treeOfSignatureJson(policy.value));
  if (policy.type === 3) return `${policy.value.rule} ${policy.value.sub_policy}`;
  return `type ${policy.type}`;
}

function satisfies(orgs, policyPath, config) {
  const found = lookupPolicy(config, policyPath);
  if (!found) return false; // Fabric rejects a missing policy
  const { group, policy } = found;
  if (policy.type === 1) {
    const holds = (tree) => {
      if (tree.principal !== undefined) {
        const m = /^([^:]+)\.[a-z]+$/.exec(tree.principal);
        return m ? orgs.has(m[1]) : true; // an unknown kind of principal: assume the worst
      }
      return tree.rules.filter(holds).length >= tree.n;
    };
    return holds(treeOfSignatureJson(policy.value));
  }
  if (policy.type === 3) {
    // ImplicitMeta: the sub-policy of the same name in each child group, counted as Fabric does.
    const children = Object.keys(group.groups ?? {});
    const groupPath = policyPath.slice(0, -1);
    const ok = children.filter((child) => satisfies(orgs, [...groupPath, child, policy.value.sub_policy], config)).length;
    const threshold = { ANY: 1, ALL: children.length, MAJORITY: Math.floor(children.length / 2) + 1 }[policy.value.rule];
    return ok >= threshold;
  }
  return true; // an unknown policy type: assume the worst
}

/** PATH is the group path below /Channel followed by the policy name. */
function lookupPolicy(config, path) {
  let group = config.channel_group;
  for (const name of path.slice(0, -1)) {
    group = group.groups?.[name];
    if (!group) return undefined;
  }
  const policy = group.policies?.[path[path.length - 1]]?.policy;
  return policy ? { group, policy } : undefined;
}

/** The absolute policy path (below /Channel) of MOD_POLICY for an element of the group at GROUP_PATH. */
function resolveModPolicy(modPolicy, groupPath) {
  if (!modPolicy) return undefined;
  if (modPolicy.startsWith('/')) {
    const parts = modPolicy.split('/').slice(1);
    return parts[0] === 'Channel' ? parts.slice(1) : undefined;
  }
  return [...groupPath, ...modPolicy.split('/')];
}

function allMsps(config) {
  const msps = new Set();
  for (const section of ['Application', 'Orderer']) {
    for (const [name, org] of Object.entries(config.channel_group.groups?.[section]?.groups ?? {})) {
      msps.add(org.values?.MSP?.value?.config?.name ?? name);
    }
  }
  return msps;
}

function check(config, observers) {
  const everyone = allMsps(config);
  const coalitions = [
    ['the city administration', new Set([...everyone].filter((m) => !observers.has(m)))],
    ['the observers alone', new Set([...everyone].filter((m) => observers.has(m)))],
  ];
  const rows = [];
  const problems = [];
  const examine = (label, path) => {
    const policy = path ? lookupPolicy(config, path) : undefined;
    const rule = policy ? `/${['Channel', ...path].join('/')} = ${describePolicy(policy.policy)}` : 'none (unchangeable)';
    rows.push(`${label}  ${rule}`);
    if (!policy) return;
    for (const [who, orgs] of coalitions) {
      if (satisfies(orgs, path, config)) problems.push(`${label.replace(/\s+/g, ' ')}: ${who} (${[...orgs].join(', ')}) satisfy its policy ${rule}`);
    }
  };
  // A relative mod_policy is resolved in the element's own group (for a group: in itself), as configtx's
  // policyForItem does; an absolute one from /Channel.
  const visit = (group, groupPath) => {
    const at = (name) => `/${['Channel', ...groupPath, ...(name === undefined ? [] : [name])].join('/')}`;
    examine(`group  ${at()}`, resolveModPolicy(group.mod_policy, groupPath));
    for (const [name, v] of Object.entries(group.values ?? {})) examine(`value  ${at(name)}`, resolveModPolicy(v.mod_policy, groupPath));
    for (const [name, p] of Object.entries(group.policies ?? {})) examine(`policy ${at(name)}`, resolveModPolicy(p.mod_policy, groupPath));
    for (const [name, child] of Object.entries(group.groups ?? {})) visit(child, [...groupPath, name]);
  };
  visit(config.channel_group, []);
  // Committing a chaincode definition needs LifecycleEndorsement.
  if (lookupPolicy(config, ['Application', 'LifecycleEndorsement'])) {
    examine('chaincode definitions (commit)', ['Application', 'LifecycleEndorsement']);
  }
  return { rows, problems };
}

/** A signature policy DSL as configtxlator's JSON (type 1, SignaturePolicyEnvelope). */
function signaturePolicyJson(dsl) {
  const identities = [];
  const rule = (tree) => {
    if (tree.principal !== undefined) {
      let i = identities.indexOf(tree.principal);
      if (i < 0) i = identities.push(tree.principal) - 1;
      return { signed_by: i };
    }
    return { n_out_of: { n: tree.n, rules: tree.rules.map(rule) } };
  };
  const top = rule(parseDsl(dsl));
  return {
    type: 1,
    value: {
      identities: identities.map((p) => {
        const [, msp, role] = /^(.*)\.([a-z]+)$/.exec(p);
        return { principal: { msp_identifier: msp, role: role.toUpperCase() }, principal_classification: 'ROLE' };
      }),
      rule: top,
      version: 0,
    },
  };
}

/** The org group of MSP_ID in Application or Orderer (every one there is). */
function orgGroups(config, mspId) {
  return ['Application', 'Orderer'].map((s) => config.channel_group.groups?.[s]?.groups?.[mspId]).filter(Boolean);
}

function mspRoot(config, mspId, action, pem) {
  const groups = orgGroups(config, mspId);
  if (groups.length === 0) throw new Error(`${mspId} is not in the channel config`);
  const cert = Buffer.from(pem).toString('base64');
  for (const group of groups) {
    const msp = group.values.MSP.value.config;
    for (const key of ['root_certs', 'tls_root_certs']) {
      const list = msp[key] ?? [];
      if (action === 'add') {
        if (!list.includes(cert)) list.push(cert);
      } else {
        const kept = list.filter((c) => c !== cert);
        if (kept.length === list.length) throw new Error(`that certificate is not in ${mspId}'s ${key}`);
        if (kept.length === 0) throw new Error(`${mspId} would have no ${key} left`);
        list.splice(0, list.length, ...kept);
      }
      msp[key] = list;
    }
    // NodeOU identifiers name the CA they apply to; with two roots, they apply to the MSP's roots.
    const ous = msp.fabric_node_ous;
    if (ous) {
      for (const id of ['client_ou_identifier', 'peer_ou_identifier', 'admin_ou_identifier', 'orderer_ou_identifier']) {
        if (ous[id]) delete ous[id].certificate;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'block-config':
      process.stdout.write(`${JSON.stringify(configOf(readJson(args[0])), null, 2)}\n`);
      return;
    case 'harden': {
      const value = readJson(args[0]);
      hardenConfig(configOf(value));
      writeJson(args[1], value);
      return;
    }
    case 'add-org': {
      const [configFile, orgFile, mspId, host, port, out] = args;
      const config = readJson(configFile);
      const org = readJson(orgFile);
      const application = config.channel_group.groups.Application;
      if (application.groups[mspId]) fail(`${mspId} is already in the channel config`);
      // configtxgen -printOrg prints an ordering org: it has no anchor peers, and Endpoints only if set.
      delete org.values.Endpoints;
      org.values.AnchorPeers = { mod_policy: 'Admins', value: { anchor_peers: [{ host, port: Number(port) }] }, version: '0' };
      hardenOrg(org, '/Channel/Application/Admins');
      application.groups[mspId] = org;
      writeJson(out, config);
      return;
    }
    case 'wrap-update': {
      const [updateFile, channel, out] = args;
      writeJson(out, {
        payload: {
          header: { channel_header: { channel_id: channel, type: 2 } },
          data: { config_update: readJson(updateFile) },
        },
      });
      return;
    }
    case 'set-policy': {
      const [configFile, out, dsl, ...paths] = args;
      if (paths.length === 0) fail('set-policy needs at least one policy path');
      const config = readJson(configFile);
      for (const p of paths) {
        const parts = p.split('/').filter(Boolean);
        const found = lookupPolicy(config, parts);
        if (!found) fail(`no policy /Channel/${parts.join('/')}`);
        found.group.policies[parts[parts.length - 1]].policy = signaturePolicyJson(dsl);
      }
      writeJson(out, config);
      return;
    }
    case 'msp-root': {
      const [configFile, out, mspId, action, pemFile] = args;
      if (!['add', 'remove'].includes(action)) fail('msp-root needs add or remove');
      const config = readJson(configFile);
      mspRoot(config, mspId, action, fs.readFileSync(pemFile));
      writeJson(out, config);
      return;
    }
    case 'fix-data-hash':
      fs.writeFileSync(args[1], fixDataHash(fs.readFileSync(args[0])));
      return;
    case 'policy':
      process.stdout.write(canonical(parseDsl(args[0])));
      return;
    case 'policy-of': {
      let text = '';
      try { text = args[0] === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(args[0], 'utf8'); } catch { /* empty */ }
      let definition = {};
      try { definition = JSON.parse(text); } catch { /* not a definition: empty policy */ }
      process.stdout.write(definitionPolicy(definition));
      return;
    }
    case 'check': {
      const { rows, problems } = check(configOf(readJson(args[0])), new Set((args[1] ?? '').split(',').filter(Boolean)));
      if (args.includes('--verbose')) process.stdout.write(`${rows.join('\n')}\n`);
      if (problems.length > 0) {
        process.stderr.write(`config-tool: ${problems.length} element(s) of the channel config can be changed without both sides:\n  ${problems.join('\n  ')}\n`);
        process.exit(1);
      }
      process.stdout.write(`every element of the channel config (${rows.length} checked) needs an observer admin and a city or department admin\n`);
      return;
    }
    default:
      fail(`unknown command '${command ?? ''}' (see the top of ${__filename})`);
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
