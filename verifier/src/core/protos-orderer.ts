/** The orderer config messages, without the gRPC service stubs of @hyperledger/fabric-protos' orderer index. */
export * from '@hyperledger/fabric-protos/lib/orderer/configuration_pb';
export * as etcdraft from '@hyperledger/fabric-protos/lib/orderer/etcdraft';
