/**
 * Fabric's protobuf messages, browser-safe: @hyperledger/fabric-protos' index also loads gRPC service clients
 * (@grpc/grpc-js, Node only), so the core takes the message modules one by one.
 */
export * as common from '@hyperledger/fabric-protos/lib/common';
export * as ledger from '@hyperledger/fabric-protos/lib/ledger';
export * as msp from '@hyperledger/fabric-protos/lib/msp';
export * as orderer from './protos-orderer';
export * as peer from './protos-peer';
