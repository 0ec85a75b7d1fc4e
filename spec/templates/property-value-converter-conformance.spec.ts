import { captureValue } from '../../lib/templates/capture';
import { collectSelfLog } from '../helpers/self-log';

// Serilog's PropertyValueConverterTests (serilog/serilog at 60935b4), case by case, with the JavaScript
// value that stands for the .NET one. Cases about .NET alone (value tuples, nullables, indexers,
// `new` and `override` properties, System.Type, MethodBase, WCF proxies, compiler-generated types,
// Memory<T>) are named with what JavaScript has in their place. Deliberate differences are in
// docs/conformance.md ("Capturing follows Serilog's PropertyValueConverterTests …").
describe('Serilog test/Serilog.Tests/Capturing/PropertyValueConverterTests.cs', () => {
  const structure = (value: unknown): unknown => captureValue(value, 'structure');
  const byDefault = (value: unknown): unknown => captureValue(value, 'default');

  it('MaximumDepthIsEffectiveAndThreadSafe: a structure past maxDepth is a marker, a scalar there is kept (Serilog: null)', () => {
    const limits = { maxDepth: 3 };
    expect(captureValue({ Root: { B: { C: { D: { E: 'F' } } } } }, 'structure', limits)).toEqual({
      Root: { B: { C: '[MaxDepth]' } },
    });
    expect(captureValue({ Root: { Y: { Z: '5' } } }, 'structure', limits)).toEqual({ Root: { Y: { Z: '5' } } });
    expect(captureValue({ Root: { M: { N: { V: 8 } } } }, 'structure', limits)).toEqual({ Root: { M: { N: '[MaxDepth]' } } });
  });

  it('UnderDestructuringAByteArrayIsAScalarValue: a Uint8Array is an array of numbers (Serilog: a hex string)', () => {
    expect(structure(new Uint8Array(0))).toEqual([]);
    expect(byDefault(Uint8Array.from({ length: 10 }, (_, i) => i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('ByteArraysLargerThan1kAreLimitedAndConvertedToStrings: a long Uint8Array keeps 1 000 items (Serilog: 1 KB of hex)', () => {
    const captured = byDefault(Uint8Array.from({ length: 1025 }, (_, i) => i % 256)) as unknown[];
    expect(captured).toHaveLength(1001);
    expect(captured.slice(0, 3)).toEqual([0, 1, 2]);
    expect(captured[1000]).toBe('…25 more');
  });

  it('UnderDestructuringABooleanIsAScalarValue', () => {
    expect(structure(true)).toBe(true);
  });

  it('UnderDestructuringAnIntegerArrayIsASequenceValue', () => {
    expect(structure([])).toEqual([]);
    expect(structure([1, 2])).toEqual([1, 2]);
  });

  it('ByDefaultADestructuredNullNullableIsAScalarNull / NonNullNullableIsItsValue: null and undefined as they are', () => {
    expect(structure(null)).toBeNull();
    expect(structure(undefined)).toBeUndefined();
    expect(structure(2)).toBe(2);
  });

  it('DestructuringACyclicStructureDoesNotStackOverflow: the reference back is [Circular]', () => {
    class A {
      B?: B;
    }
    class B {
      A?: A;
    }
    const ab = new A();
    ab.B = new B();
    ab.B.A = ab;
    expect(structure(ab)).toEqual({ B: { A: '[Circular]' } });
  });

  it('CollectionsAndCustomPoliciesInCyclesDoNotStackOverflow: a cycle through an array is [Circular]', () => {
    const cd: { D: { C?: unknown[] } } = { D: {} };
    cd.D.C = [cd];
    expect(structure(cd)).toEqual({ D: { C: ['[Circular]'] } });
  });

  it('ByDefaultAScalarDictionaryIsADictionaryValue: a Map of scalar keys is an object', () => {
    expect(byDefault(new Map([[1, 'hello']]))).toEqual({ 1: 'hello' });
  });

  it('ByDefaultANonScalarDictionaryIsASequenceValue: a Map with an object key is a sequence of pairs', () => {
    class A {}
    expect(byDefault(new Map([[new A(), 'hello']]))).toEqual([['[object Object]', 'hello']]);
  });

  it('DelegatesAreConvertedToScalarStringsWhenDestructuring: a function is a string', () => {
    expect(structure(function handler(): void {})).toBe('[Function handler]');
    expect(structure(() => 1)).toBe('[Function]');
  });

  it('FailsGracefullyWhenGettersThrow: the getter’s value is a marker, the other members are kept, and SelfLog is told', () => {
    const thrower = {
      get Throws(): string {
        throw new TypeError('not supported');
      },
      Doesnt: 'Hello',
    };
    const selfLog = collectSelfLog();
    try {
      expect(structure(thrower)).toEqual({ Throws: '[Throws: not supported]', Doesnt: 'Hello' });
      expect(selfLog.diagnostics).toHaveLength(1);
    } finally {
      selfLog.stop();
    }
  });

  it('FailsGracefullyWhenGettersThrow, for a class: its getters live on the prototype and are not captured (as JSON.stringify)', () => {
    class Thrower {
      get Throws(): string {
        throw new TypeError('not supported');
      }
      readonly Doesnt = 'Hello';
    }
    expect(structure(new Thrower())).toEqual({ Doesnt: 'Hello' });
  });

  it('SurvivesDestructuringASystemType / SurvivesDestructuringMethodBase: a class or method is a function, so a string', () => {
    expect(structure(String)).toBe('[Function String]');
    expect(structure(Math.max)).toBe('[Function max]');
  });

  it('NewAndInheritedPropertiesAppearOnlyOnce / StructureConversionPrefersMostDerived…: a field set by a subclass once', () => {
    class BaseClass {
      Name = 'base';
      PropC = 'C';
    }
    class SubclassWithOverride extends BaseClass {
      override Name = 'override';
      PropD = 'D';
    }
    expect(structure(new SubclassWithOverride())).toEqual({ Name: 'override', PropC: 'C', PropD: 'D' });
  });

  it('IndexerPropertiesAreIgnoredWhenDestructuring / ItemPropertiesNotAreIgnored…: a member named Item is kept', () => {
    class HasItem {
      readonly Item = 'Item';
    }
    expect(structure(new HasItem())).toEqual({ Item: 'Item' });
  });

  it('PrivateGettersAreIgnoredWhenCapturing: private (#) fields are not captured', () => {
    class HasPrivate {
      readonly A = 'A';
      readonly #B = 'B';
      b(): string {
        return this.#B;
      }
    }
    expect(structure(new HasPrivate())).toEqual({ A: 'A' });
  });

  it('StructureConversionYieldsEmptyStructureOnNoProperties', () => {
    class Empty {}
    expect(structure(new Empty())).toEqual({});
  });

  it('CSharpAnonymousTypesAreRecognizedWhenDestructuring / TypeTag…: a structure carries no type (see conformance.md, CLEF)', () => {
    class Empty {}
    const captured = structure(new Empty()) as object;
    expect(Object.getPrototypeOf(captured)).toBe(Object.prototype);
    expect(structure({ Foo: 'Bar' })).toEqual({ Foo: 'Bar' });
  });

  it('ValueTuplesAreRecognizedWhenDestructuring / AllTupleLengths… / EightPlus…: a tuple is an array, of any length', () => {
    expect(byDefault([1, 'A', ['B']])).toEqual([1, 'A', ['B']]);
    expect(byDefault([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('ValueTupleDestructuringIsTransitivelyApplied: the hint reaches an object inside an array', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(structure([new Point(1)])).toEqual([{ x: 1 }]);
    expect(byDefault([new Point(1)])).toEqual(['[object Object]']);
  });
});
