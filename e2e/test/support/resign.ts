/**
 * Re-signs an exported block's SIGNATURES metadata with any key, as someone holding it could, leaving the header and
 * data as they are (so the hash chain stays intact): what the auditor's orderer signature check must catch.
 */
import { common, msp } from '@hyperledger/fabric-protos';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : (() => {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
  })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

/** Fabric's block header bytes: ASN.1 DER SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }. */
export function headerDer(header: common.BlockHeader): Buffer {
  let hex = header.getNumber().toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let number = Buffer.from(hex, 'hex');
  if ((number[0] ?? 0) & 0x80) number = Buffer.concat([Buffer.from([0]), number]);
  return tlv(0x30, Buffer.concat([
    tlv(0x02, number),
    tlv(0x04, Buffer.from(header.getPreviousHash_asU8())),
    tlv(0x04, Buffer.from(header.getDataHash_asU8())),
  ]));
}

/** BLOCK with its orderer signatures replaced by one made with KEY, claiming MSPID with certificate CERT (PEM). */
export function resignBlock(bytes: Uint8Array, mspId: string, cert: Buffer, key: Buffer): Uint8Array {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  const blockMetadata = block.getMetadata();
  if (header === undefined || blockMetadata === undefined) throw new Error('not a complete block');
  const list = [...blockMetadata.getMetadataList_asU8()];
  const metadata = common.Metadata.deserializeBinary(list[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(0));
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(cert);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(identity.serializeBinary());
  signatureHeader.setNonce(randomBytes(24));
  const signatureHeaderBytes = signatureHeader.serializeBinary();
  const signature = new common.MetadataSignature();
  signature.setSignatureHeader(signatureHeaderBytes);
  signature.setSignature(sign('sha256', Buffer.concat([metadata.getValue_asU8(), signatureHeaderBytes, headerDer(header)]), createPrivateKey(key)));
  metadata.setSignaturesList([signature]);
  list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
  blockMetadata.setMetadataList(list);
  return block.serializeBinary();
}
