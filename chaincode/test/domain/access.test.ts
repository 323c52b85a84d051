import { expect } from 'chai';
import { assertMayCastBallot, assertMayClosePoll, assertMayManagePoll, assertPollAdmin } from '../../src/domain/access';
import { type Identity, Ids } from '../support/network';
import { thrownBy } from '../support/refusals';

const caller = (who: Identity) => ({ mspId: who.mspId, role: who.role });
const label = (who: Identity) => `${who.role ?? 'an identity without role'} of ${who.mspId}`;
const cityPoll = { id: 'c1', ownerMsp: 'CityMSP' };
const deptPoll = { id: 'd1', ownerMsp: 'DeptMSP' };

const creating = (who: Identity) => () => {
  assertPollAdmin(caller(who));
};
const managing = (who: Identity, poll: { id: string; ownerMsp: string }) => () => {
  assertMayManagePoll(caller(who), poll);
};
const casting = (who: Identity) => () => {
  assertMayCastBallot(caller(who));
};

describe('access', () => {
  describe('assertPollAdmin', () => {
    // StrangerMSP stands for a department that joined later: any member but the city and the observers is one.
    for (const who of [Ids.cityAdmin, Ids.deptAdmin, Ids.strangerAdmin]) {
      it(`when the caller is ${label(who)}, then it may create polls`, () => {
        expect(creating(who)).not.to.throw();
      });
    }
    const refused = [Ids.observerAdmin, Ids.cityRelay, Ids.deptRelay, Ids.cityAuditor];
    for (const who of [...refused, Ids.cityNoRole]) {
      it(`when the caller is ${label(who)}, then it is FORBIDDEN`, () => {
        const message = `${who.role ?? '(no role)'} of ${who.mspId} may not create polls`;
        expect(thrownBy(creating(who))).to.deep.equal({ code: 'FORBIDDEN', message });
      });
    }
  });

  describe('assertMayManagePoll', () => {
    it('when the caller is a city poll-admin, then it may change city and department polls', () => {
      expect(managing(Ids.cityAdmin, cityPoll)).not.to.throw();
      expect(managing(Ids.cityAdmin, deptPoll)).not.to.throw();
    });

    it('when the caller is a department poll-admin, then it may change only its own department polls', () => {
      expect(managing(Ids.deptAdmin, deptPoll)).not.to.throw();
      expect(thrownBy(managing(Ids.deptAdmin, cityPoll))).to.deep.equal(
        { code: 'FORBIDDEN', message: 'poll-admin of DeptMSP may not change poll c1, owned by CityMSP' },
      );
    });

    it('when a department that joined later owns a poll, then its poll-admin may change it, and no other department poll', () => {
      const theirs = { id: 's1', ownerMsp: 'StrangerMSP' };
      expect(managing(Ids.strangerAdmin, theirs)).not.to.throw();
      expect(thrownBy(managing(Ids.strangerAdmin, deptPoll))).to.include({ code: 'FORBIDDEN' });
      expect(thrownBy(managing(Ids.deptAdmin, theirs))).to.include({ code: 'FORBIDDEN' });
    });

    for (const who of [Ids.observerAdmin, Ids.cityRelay, Ids.deptRelay, Ids.cityAuditor, Ids.cityNoRole]) {
      it(`when the caller is ${label(who)}, then changing any poll is FORBIDDEN`, () => {
        expect(thrownBy(managing(who, cityPoll))).to.include({ code: 'FORBIDDEN' });
        expect(thrownBy(managing(who, deptPoll))).to.include({ code: 'FORBIDDEN' });
      });
    }
  });

  describe('assertMayClosePoll', () => {
    const poll = { ...cityPoll, closesAt: '2026-12-31T00:00:00.000Z' };
    const closing = (who: Identity, txTime: string) => () => {
      assertMayClosePoll(caller(who), poll, txTime);
    };

    it('when the tx timestamp is at or after closesAt, then any identity may close the poll', () => {
      for (const who of Object.values(Ids)) {
        expect(closing(who, '2026-12-31T00:00:00.000Z')).not.to.throw();
        expect(closing(who, '2027-01-01T00:00:00.000Z')).not.to.throw();
      }
    });

    it('when the tx timestamp is before closesAt, then only the managers may, as with assertMayManagePoll', () => {
      expect(closing(Ids.cityAdmin, '2026-01-01T00:00:00.000Z')).not.to.throw();
      for (const who of [Ids.observerAdmin, Ids.observerAuditor, Ids.deptAdmin, Ids.cityRelay, Ids.cityNoRole]) {
        expect(thrownBy(closing(who, '2026-12-30T23:59:59.999Z'))).to.include({ code: 'FORBIDDEN' });
      }
    });
  });

  describe('assertMayCastBallot', () => {
    it('when the caller is the city ballot-relay, then it may cast', () => {
      expect(casting(Ids.cityRelay)).not.to.throw();
    });

    const refused = [Ids.deptRelay, Ids.observerRelay, Ids.cityAdmin, Ids.deptAdmin, Ids.cityAuditor, Ids.cityNoRole];
    for (const who of refused) {
      it(`when the caller is ${label(who)}, then it is FORBIDDEN`, () => {
        const refusal = thrownBy(casting(who));
        expect(refusal).to.include({ code: 'FORBIDDEN' });
        expect(refusal.message).to.match(/ may not cast ballots$/);
      });
    }

    it('when the caller has no role, then the message says so', () => {
      expect(thrownBy(casting(Ids.cityNoRole))).to.deep.equal(
        { code: 'FORBIDDEN', message: '(no role) of CityMSP may not cast ballots' },
      );
    });
  });
});
