/**
 * Chaincode definitions as `_lifecycle` commits write them in public (Fabric 2.x lifecycle):
 * `namespaces/fields/<name>/{Sequence,EndorsementInfo,ValidationInfo,Collections}`, each a lifecycle StateData.
 * The verifier needs the validation plugin and parameter: with the default plugin (vscc), the parameter is the
 * chaincode's endorsement policy.
 */
import { peer } from './protos';
import type { KvWrite } from './decode';
import { type ApplicationPolicy, decodeApplicationPolicy } from './policy';

export const LIFECYCLE = '_lifecycle';
/** What Fabric's lifecycle uses to validate writes to `_lifecycle` itself. */
export const LIFECYCLE_POLICY: ApplicationPolicy = { kind: 'reference', path: '/Channel/Application/LifecycleEndorsement' };

export interface ChaincodeDefinition {
  readonly name: string;
  readonly sequence?: number;
  readonly version?: string;
  readonly validationPlugin?: string;
  /** Undefined when the validation parameter does not decode (no transaction can then be valid). */
  readonly policy?: ApplicationPolicy;
  readonly definedIn: { readonly blockNumber: number; readonly txId: string };
}

const FIELD_KEY = /^namespaces\/fields\/([^/]+)\/([^/]+)$/;

/** The definitions these (valid) `_lifecycle` writes set, merged onto the ones in force. */
export function applyLifecycleWrites(
  definitions: Map<string, ChaincodeDefinition>,
  writes: readonly KvWrite[],
  definedIn: ChaincodeDefinition['definedIn'],
): string[] {
  const touched = new Set<string>();
  for (const write of writes) {
    const match = FIELD_KEY.exec(write.key);
    const name = match?.[1];
    const field = match?.[2];
    if (name === undefined || field === undefined || write.isDelete) continue;
    const current: ChaincodeDefinition = definitions.get(name) ?? { name, definedIn };
    definitions.set(name, { ...current, ...fieldValue(field, write.value), definedIn });
    touched.add(name);
  }
  return [...touched];
}

function fieldValue(field: string, value: Uint8Array): Partial<ChaincodeDefinition> {
  try {
    const data = peer.lifecycle.StateData.deserializeBinary(value);
    switch (field) {
      case 'Sequence':
        return { sequence: data.getInt64() };
      case 'EndorsementInfo':
        return { version: peer.lifecycle.ChaincodeEndorsementInfo.deserializeBinary(data.getBytes_asU8()).getVersion() };
      case 'ValidationInfo': {
        const info = peer.lifecycle.ChaincodeValidationInfo.deserializeBinary(data.getBytes_asU8());
        const policy = decodeApplicationPolicy(info.getValidationParameter_asU8());
        // An undecodable parameter replaces the old policy too: nothing can satisfy it.
        return { validationPlugin: info.getValidationPlugin(), policy };
      }
      default:
        return {};
    }
  } catch {
    return {};
  }
}
