import { expect } from "chai";
import { growthPerUnit, median, percent, relativeChange } from "../../bench/stats";

describe("bench figures: growth and change between two sizes", () => {
    it("gives the growth per unit between two sizes, in either order", () => {
        // 150 MiB at 50 tokens, 169 MiB at 1,000: 19 MiB over 950 tokens.
        const mib = 1024 * 1024;
        const growth = growthPerUnit({ size: 50, value: 150 * mib }, { size: 1000, value: 169 * mib });
        expect(growth).to.be.closeTo((19 * mib) / 950, 1e-9);
        expect(growthPerUnit({ size: 1000, value: 169 * mib }, { size: 50, value: 150 * mib })).to.be.closeTo(
            growth,
            1e-9,
        );
        expect(growthPerUnit({ size: 50, value: 10 }, { size: 100, value: 5 })).to.equal(-0.1);
    });

    it("refuses a growth between equal sizes and a change from zero", () => {
        expect(() => growthPerUnit({ size: 50, value: 1 }, { size: 50, value: 2 })).to.throw(/equal sizes/);
        expect(() => relativeChange(0, 1)).to.throw(/from 0/);
    });

    it("gives a relative change and prints it signed", () => {
        expect(relativeChange(4000, 4080)).to.be.closeTo(0.02, 1e-12);
        expect(relativeChange(4000, 3960)).to.be.closeTo(-0.01, 1e-12);
        expect(percent(0.0123)).to.equal("+1.23 %");
        expect(percent(-0.004)).to.equal("-0.40 %");
        expect(percent(0)).to.equal("+0.00 %");
    });

    it("takes the median of odd and even counts", () => {
        expect(median([3, 1, 2])).to.equal(2);
        expect(median([4, 1, 3, 2])).to.equal(2.5);
        expect(() => median([])).to.throw(/empty/);
    });
});
