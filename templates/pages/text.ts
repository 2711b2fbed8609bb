// Placeholders in the pages' strings: fill('第 {n} 位', { n: 3 }). An unknown name stays as it is.
export const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
