import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../tools/geo/cities.ts';
import { createGeo } from '../../tools/index.ts';
import { byName, call, ctx } from './helpers.ts';

describe('geo tools', () => {
  it('answers weather and city facts from the bundled data', async () => {
    const { tools } = createGeo();
    expect(await call(tools, 'get_weather', { city: 'paris' })).toMatchObject({
      city: 'Paris',
      temperature_c: 18,
      condition: 'partly cloudy',
    });
    expect(await call(tools, 'get_city', { city: 'Sao Paulo' })).toMatchObject({
      name: 'São Paulo',
      country: 'Brazil',
    });
    expect((await call(tools, 'get_city', { city: 'Tokyo, Japan' })).name).toBe('Tokyo');
  });

  it('computes great-circle distances', async () => {
    const { tools } = createGeo();
    const d = await call(tools, 'distance_km', { from: 'Paris', to: 'London' });
    expect(d.km).toBeGreaterThan(340);
    expect(d.km).toBeLessThan(346);
    const ny = await call(tools, 'distance_km', { from: 'New York', to: 'London' });
    expect(ny.km).toBeGreaterThan(5560);
    expect(ny.km).toBeLessThan(5590);
    expect((await call(tools, 'distance_km', { from: 'Rome', to: 'rome' })).km).toBe(0);
    // Antipodes: half the circumference, no NaN from rounding past 1.
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(
      Math.PI * 6371.0088,
      6,
    );
  });

  it('names the known cities when a city is unknown, as a not-retryable tool error', async () => {
    const { tools } = createGeo();
    const err = await byName(tools, 'get_weather')
      .execute({ city: 'Atlantis' }, ctx())
      .catch((e: unknown) => e as Error & { retryable: boolean; name: string });
    expect(err.name).toBe('ToolError');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/unknown city "Atlantis"; known cities: Paris, London/);
  });
});
