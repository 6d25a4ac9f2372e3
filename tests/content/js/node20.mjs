// Node.js 20 lacks Promise.withResolvers (added in 22), which the Helia stack calls; the e2e
// machines run Node 20, so the standard behaviour is supplied here before anything loads.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
