/** The plain shape every rendered object has; builders type their bodies with the kubernetes-models interfaces. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Drops `undefined` members (YAML and the strict schema must never see them). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
