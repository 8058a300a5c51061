// The tiny task of the tpool benchmarks, as a piscina worker module.
export default (x) => x + 1;
