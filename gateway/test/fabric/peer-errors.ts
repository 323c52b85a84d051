import { status as GrpcStatus } from '@grpc/grpc-js';
import { EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { serviceError } from '../fakes';

/** A chaincode error message as the chaincode sets it: the JSON of a protocol ErrorPayload. */
export function payloadMessage(code: string, message: string, details?: object): string {
  return JSON.stringify({ code, message, ...(details && { details }) });
}

/** Shaped like what fabric-gateway throws when the chaincode refuses an endorsement (Fabric 2.5). */
export function endorseError(chaincodeMessage: string): EndorseError {
  return new EndorseError({
    code: GrpcStatus.ABORTED,
    message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
    details: [{ address: 'peer0.city.example.com:7051', mspId: 'CityMSP', message: `chaincode response 500, ${chaincodeMessage}` }],
    cause: serviceError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info'),
    transactionId: 'a'.repeat(64),
  });
}

/** Shaped like what fabric-gateway throws when an evaluate fails in the chaincode: the message is in the text. */
export function evaluateError(chaincodeMessage: string): GatewayError {
  return new GatewayError({
    code: GrpcStatus.UNKNOWN,
    message: `2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, ${chaincodeMessage}`,
    details: [],
    cause: serviceError(GrpcStatus.UNKNOWN, 'evaluate call to endorser returned error'),
  });
}
