import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { CITY_NAMES, findCity, haversineKm, weatherOf } from './cities.ts';

const CityArg = z
  .string()
  .min(1)
  .describe(`City name, e.g. "Paris". Known cities: ${CITY_NAMES.join(', ')}`);

/** Weather and geography from bundled data: no network, the same answer every time. */
export function createGeo(): { tools: Tool[] } {
  return {
    tools: [
      bundledTool({
        name: 'get_weather',
        description:
          'Current weather in a city (from bundled offline data): temperature in °C, condition, humidity and wind. Read-only. Unknown cities fail with the list of known ones.',
        inputSchema: z.object({ city: CityArg }),
        outputSchema: z.object({
          city: z.string().describe('City name as spelled in the data'),
          temperature_c: z.number().describe('Temperature in degrees Celsius'),
          condition: z.string().describe('e.g. "sunny", "rain", "fog"'),
          humidity: z.number().describe('Relative humidity, percent'),
          wind_kph: z.number().describe('Wind speed, km/h'),
        }),
        execute: ({ city }) => {
          const c = findCity(city);
          return { city: c.name, ...weatherOf(c) };
        },
      }),
      bundledTool({
        name: 'get_city',
        description:
          'Facts about a city: country, population and coordinates. Read-only. Unknown cities fail with the list of known ones.',
        inputSchema: z.object({ city: CityArg }),
        outputSchema: z.object({
          name: z.string().describe('City name'),
          country: z.string().describe('Country'),
          population: z.number().int().describe('Population of the city proper'),
          lat: z.number().describe('Latitude, degrees'),
          lon: z.number().describe('Longitude, degrees'),
        }),
        execute: ({ city }) => findCity(city),
      }),
      bundledTool({
        name: 'distance_km',
        description:
          'Great-circle (as the crow flies) distance between two known cities, in km, rounded to 0.1 km. Read-only.',
        inputSchema: z.object({ from: CityArg, to: CityArg }),
        outputSchema: z.object({
          from: z.string().describe('Origin city'),
          to: z.string().describe('Destination city'),
          km: z.number().describe('Distance in kilometres'),
        }),
        execute: ({ from, to }) => {
          const a = findCity(from);
          const b = findCity(to);
          return { from: a.name, to: b.name, km: Math.round(haversineKm(a, b) * 10) / 10 };
        },
      }),
    ],
  };
}
