// scripts/lib/eager-compile.mjs rewrites the module table of a minified ncc bundle so that V8
// compiles each module function once: the rewritten bundle must behave exactly as before.
import { describe, expect, it } from '@jest/globals'
import { wrapModuleFunctions } from '../../scripts/lib/eager-compile.mjs'

/** Runs a bundle-shaped script: a module table and a require that calls each as webpack does. */
function evaluate(source: string): unknown {
  const run = new Function(
    `${source.replace(/^export const modules =/m, 'var modules =')}
     const cache = {}
     const require = (id) => {
       if (cache[id]) return cache[id].exports
       const module = (cache[id] = { exports: {} })
       modules[id].call(module.exports, module, module.exports, require)
       return module.exports
     }
     return require(1)`,
  )
  return run()
}

const BUNDLE = `var modules={1:(e,t,s)=>{const a=s(2);e.exports={sum:a.add(2,3),self:s(3).self,args:s(4).n}},
2:(e,t)=>{t.add=(x,y)=>x+y},
3:function(e,t){t.self=this===t},
4:(e,t)=>{t.n=typeof arguments}}`

describe('eager-compile', () => {
  it('makes each module function a parenthesized function expression', () => {
    const { source, wrapped } = wrapModuleFunctions(BUNDLE)
    expect(wrapped).toBe(4)
    expect(source).toContain('1:(function(e,t,s){')
    expect(source).toContain('2:(function(e,t){')
    expect(source).toContain('3:(function(e,t){t.self=this===t})')
  })

  it('keeps an arrow whose body uses arguments or this (a function would bind its own)', () => {
    const { source } = wrapModuleFunctions(BUNDLE)
    expect(source).toContain('4:((e,t)=>{t.n=typeof arguments})')
    const self = wrapModuleFunctions('var m={1:(e,t)=>{t.x=this},2:(e)=>{e.y=()=>this}}').source
    expect(self).toBe('var m={1:((e,t)=>{t.x=this}),2:((e)=>{e.y=()=>this})}')
    // `this` inside a nested function is that function's own: the module function converts.
    const nested = wrapModuleFunctions('var m={1:(e)=>{e.f=function(){return this}}}').source
    expect(nested).toBe('var m={1:(function(e){e.f=function(){return this}})}')
  })

  it('changes no behaviour, and a second pass changes nothing', () => {
    const once = wrapModuleFunctions(BUNDLE).source
    expect(evaluate(once)).toEqual(evaluate(BUNDLE))
    expect(wrapModuleFunctions(once).source).toBe(once)
  })

  it('finds the table of a chunk file too', () => {
    const chunk = 'export const id = 7;\nexport const modules = {\n5: (e) => { e.exports = 1 }\n}'
    expect(wrapModuleFunctions(chunk).source).toContain('5: (function(e){ e.exports = 1 })')
  })

  it('reports a file without a module table', () => {
    expect(wrapModuleFunctions('var x = {a: 1}; export default 2').wrapped).toBe(0)
  })
})
