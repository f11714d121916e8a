// Central differences of a scalar function with respect to every element of a parameter, perturbed in place and
// restored: the independent expectation that the float64 gradient checks compare each backward pass against.

/** (f(p + h) - f(p - h)) / 2h for every element of `param`; `param` is left as it was. */
export function centralDifferences(f: () => number, param: { length: number; [i: number]: number }, h: number): Float64Array {
  const out = new Float64Array(param.length);
  for (let i = 0; i < param.length; i++) {
    const saved = param[i]!;
    param[i] = saved + h;
    const plus = f();
    param[i] = saved - h;
    const minus = f();
    param[i] = saved;
    out[i] = (plus - minus) / (2 * h);
  }
  return out;
}
