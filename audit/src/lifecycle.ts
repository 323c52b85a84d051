import { peer } from '@hyperledger/fabric-protos';
import type { KvWrite, NamespaceWrites } from './block-decoder';
import { applicationPolicyText, shortHash } from './policy-text';

/**
 * Writes to Fabric's `_lifecycle` namespace, read as what they mean. A commit writes the definition in public:
 * `namespaces/metadata/<name>` and `namespaces/fields/<name>/{Sequence,EndorsementInfo,ValidationInfo,Collections}`,
 * each a lifecycle StateData. An org's approval writes only to its implicit collection (`_implicit_org_<MSP>`), whose
 * keys and values are hashes in the block: the approving org is all that is visible.
 */

export interface ChaincodeDefinition {
  readonly name: string;
  readonly sequence?: number;
  readonly version?: string;
  readonly initRequired?: boolean;
  readonly endorsementPlugin?: string;
  readonly validationPlugin?: string;
  /** The validation parameter: for the default plugin, the chaincode's endorsement policy. */
  readonly endorsementPolicy?: string;
  readonly collections?: readonly string[];
  /** Keys written that are not one of the fields above. */
  readonly otherKeys?: readonly string[];
}

const FIELD_KEY = /^namespaces\/fields\/([^/]+)\/([^/]+)$/;
const METADATA_KEY = /^namespaces\/metadata\/([^/]+)$/;
const IMPLICIT_COLLECTION = /^_implicit_org_(.+)$/;

/** The chaincode definitions that `_lifecycle`'s public writes set, by chaincode name. */
/** A definition while its writes are gathered. */
type DraftDefinition = { -readonly [K in keyof ChaincodeDefinition]: ChaincodeDefinition[K] };

export function committedDefinitions(writes: readonly KvWrite[]): ChaincodeDefinition[] {
  const byName = new Map<string, DraftDefinition>();
  const definition = (name: string): DraftDefinition => {
    let d = byName.get(name);
    if (d === undefined) {
      d = { name };
      byName.set(name, d);
    }
    return d;
  };
  const addOther = (d: DraftDefinition, keys: readonly string[]): void => {
    d.otherKeys = [...(d.otherKeys ?? []), ...keys];
  };
  for (const write of writes) {
    const field = FIELD_KEY.exec(write.key);
    const metadata = METADATA_KEY.exec(write.key);
    if (field?.[1] !== undefined && field[2] !== undefined) {
      const { otherKeys, ...known } = fieldValue(field[2], write);
      const d = definition(field[1]);
      Object.assign(d, known);
      if (otherKeys !== undefined) addOther(d, otherKeys);
    } else if (metadata?.[1] !== undefined) {
      definition(metadata[1]);
    } else {
      addOther(definition('?'), [write.key]);
    }
  }
  return [...byName.values()];
}

/** The organisations whose approvals a `_lifecycle` write set records (their implicit collections). */
export function approvingOrgs(ns: NamespaceWrites): string[] {
  return (ns.collections ?? []).map((c) => IMPLICIT_COLLECTION.exec(c)?.[1]).filter((org) => org !== undefined);
}

function fieldValue(field: string, write: KvWrite): Partial<Omit<ChaincodeDefinition, 'name'>> {
  if (write.isDelete) {
    return { otherKeys: [`${write.key} (deleted)`] };
  }
  try {
    const data = peer.lifecycle.StateData.deserializeBinary(write.value);
    const bytes = data.getBytes_asU8();
    switch (field) {
      case 'Sequence':
        return { sequence: data.getInt64() };
      case 'EndorsementInfo': {
        const info = peer.lifecycle.ChaincodeEndorsementInfo.deserializeBinary(bytes);
        return { version: info.getVersion(), initRequired: info.getInitRequired(), endorsementPlugin: info.getEndorsementPlugin() };
      }
      case 'ValidationInfo': {
        const info = peer.lifecycle.ChaincodeValidationInfo.deserializeBinary(bytes);
        return { validationPlugin: info.getValidationPlugin(), endorsementPolicy: applicationPolicyText(info.getValidationParameter_asU8()) };
      }
      case 'Collections': {
        const names = peer.CollectionConfigPackage.deserializeBinary(bytes).getConfigList().map((c) => c.getStaticCollectionConfig()?.getName() ?? '?');
        return { collections: names };
      }
      default:
        return { otherKeys: [`${write.key} = ${shortHash(write.value)}`] };
    }
  } catch {
    return { otherKeys: [`${write.key}: undecodable ${shortHash(write.value)}`] };
  }
}

type Shown = string | number | boolean | undefined;
const listText = (list: readonly string[] | undefined): Shown => (list === undefined ? undefined : list.join(', ') || 'none');

/**
 * The definition as report lines, each with what it replaced. Plugins and init-required are shown only when they are
 * not Fabric's defaults or they changed: a custom validation plugin could skip the endorsement policy altogether.
 */
export function definitionLines(now: ChaincodeDefinition, before: ChaincodeDefinition | undefined): string[] {
  const fields: [string, Shown, Shown, Shown][] = [
    ['sequence', now.sequence, before?.sequence, undefined],
    ['version', now.version, before?.version, undefined],
    ['endorsement policy', now.endorsementPolicy, before?.endorsementPolicy, undefined],
    ['init required', now.initRequired, before?.initRequired, false],
    ['endorsement plugin', now.endorsementPlugin, before?.endorsementPlugin, 'escc'],
    ['validation plugin', now.validationPlugin, before?.validationPlugin, 'vscc'],
    ['collections', listText(now.collections), listText(before?.collections), 'none'],
  ];
  const lines = fields
    .filter(([, value, was, usual]) => value !== undefined && (value !== usual || (was !== undefined && was !== value)))
    .map(([label, value, was]) => `${label}: ${String(value)}${was === undefined || was === value ? '' : ` (was ${String(was)})`}`);
  return [...lines, ...(now.otherKeys ?? []).map((k) => `other write: ${k}`)];
}
