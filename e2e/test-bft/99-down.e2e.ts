/**
 * Runs last (files are sorted): the quick suite's own `down` test, on the full network. It takes the network down and
 * checks that none of its processes (all four orgs' CAs, peers, orderers, chaincode servers) is left running.
 */
import '../test/99-down.e2e';
