// Loaded by .mocharc.json before any test: quiet Fabric's loggers and teach chai about promises.
process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'error';

import chai from 'chai';
import chaiAsPromised from 'chai-as-promised';

chai.use(chaiAsPromised);
