/** The peer messages the verifier decodes, without the gRPC service stubs @hyperledger/fabric-protos' index pulls in. */
export * from '@hyperledger/fabric-protos/lib/peer/chaincode_pb';
export * from '@hyperledger/fabric-protos/lib/peer/policy_pb';
export * from '@hyperledger/fabric-protos/lib/peer/proposal_pb';
export * from '@hyperledger/fabric-protos/lib/peer/proposal_response_pb';
export * from '@hyperledger/fabric-protos/lib/peer/transaction_pb';
export * as lifecycle from '@hyperledger/fabric-protos/lib/peer/lifecycle';
