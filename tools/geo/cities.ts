import cities from '../data/cities.json' with { type: 'json' };
import weather from '../data/weather.json' with { type: 'json' };
import { notFound } from '../support/errors.ts';

export interface City {
  name: string;
  country: string;
  population: number;
  lat: number;
  lon: number;
}

export interface Weather {
  temperature_c: number;
  condition: string;
  humidity: number;
  wind_kph: number;
}

/** "São Paulo", "sao paulo" and " SAO PAULO " are the same city. */
export function cityKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

const BY_KEY = new Map<string, City>(cities.map((c) => [cityKey(c.name), c]));
const WEATHER = weather as Record<string, Weather>;

export const CITY_NAMES: readonly string[] = cities.map((c) => c.name);

/** Also accepts "Paris, France": LLMs often add the country. */
export function findCity(raw: string): City {
  const key = cityKey(raw);
  const city = BY_KEY.get(key) ?? BY_KEY.get(cityKey(raw.split(',')[0] ?? ''));
  if (!city) throw notFound('city', raw, CITY_NAMES);
  return { ...city };
}

export function weatherOf(city: City): Weather {
  return { ...WEATHER[city.name]! };
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance by the haversine formula. */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
