// Preloaded with `node --require` (NODE_OPTIONS) into the program and the dynamic-provider processes of the
// upgrade test: moves their clock by PAT_TEST_CLOCK_OFFSET_MS so a fixture captured months ago runs on the
// day it was captured. Expiry-driven behaviour (rotation falling due, expired tokens dropped on refresh,
// an `expiresAt` now in the past) is covered by the rotation tests; here it would only hide state changes.
const offsetMs = Number(process.env.PAT_TEST_CLOCK_OFFSET_MS ?? "0");

if (Number.isFinite(offsetMs) && offsetMs !== 0) {
    const RealDate = Date;
    class ShiftedDate extends RealDate {
        constructor(...args: unknown[]) {
            if (args.length === 0) {
                super(RealDate.now() + offsetMs);
            } else {
                super(...(args as [string | number | Date]));
            }
        }

        static override now(): number {
            return RealDate.now() + offsetMs;
        }
    }
    globalThis.Date = ShiftedDate as DateConstructor;
}
