/**
 * Settings and secrets. Non-secret settings go in one ConfigMap; secrets are only ever referenced
 * (secretKeyRef) from a Secret the operator creates. The example Secret below has placeholder
 * values and is not part of any overlay's kustomization, so applying an overlay can never
 * overwrite real secrets.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Overlay } from './overlays.js';
import { plain, type K8sObject } from './k8s-object.js';

export const configMapName = 'usher-config';
export const secretName = 'usher-secrets';

const partOf = { 'app.kubernetes.io/part-of': 'usher' };

/** Keys of `usher-secrets`; `required: false` ones are marked optional so a pod starts without them. */
export const secretKeys: { name: string; required: boolean }[] = [
  { name: 'PASS_SIGNING_JWKS', required: true },
  { name: 'VISITOR_TOKEN_SECRET', required: true },
  { name: 'AUTH_JWT_SECRET', required: true },
  { name: 'ADMIN_API_TOKEN', required: false },
  { name: 'STRIPE_SECRET_KEY', required: false },
  { name: 'STRIPE_WEBHOOK_SECRET', required: false },
  { name: 'SMTP_URL', required: false },
  { name: 'DATABASE_REPLICA_URL', required: false },
  { name: 'REDIS_PASSWORD', required: false },
];

export function secretEnv(overlay: Overlay): IEnvVar[] {
  return [
    // CloudNativePG writes the application user's connection URI into `<cluster>-app`.
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: overlay.databaseSecret.name, key: overlay.databaseSecret.key } } },
    ...secretKeys.map((k) => ({
      name: k.name,
      valueFrom: { secretKeyRef: { name: secretName, key: k.name, ...(k.required ? {} : { optional: true }) } },
    })),
  ];
}

export function configMap(overlay: Overlay): K8sObject {
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName, namespace: overlay.namespace, labels: partOf },
    data: overlay.env,
  };
  return plain(cm) as unknown as K8sObject;
}

/** Placeholders only: shows the keys and their shape; see k8s/README.md for generating real values. */
export function exampleSecret(overlay: Overlay): K8sObject {
  const placeholder = (what: string) => `REPLACE_ME_${what}`;
  const s: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace: overlay.namespace, labels: partOf },
    type: 'Opaque',
    stringData: {
      PASS_SIGNING_JWKS: '{"keys":[{"kty":"EC","crv":"P-256","kid":"REPLACE_ME","d":"REPLACE_ME","x":"REPLACE_ME","y":"REPLACE_ME"}]}',
      VISITOR_TOKEN_SECRET: placeholder('WITH_32_OR_MORE_RANDOM_CHARACTERS'),
      AUTH_JWT_SECRET: placeholder('WITH_32_OR_MORE_RANDOM_CHARACTERS'),
      ADMIN_API_TOKEN: placeholder('ADMIN_TOKEN_16_PLUS_CHARS'),
      STRIPE_SECRET_KEY: placeholder('sk_live_or_sk_test'),
      STRIPE_WEBHOOK_SECRET: placeholder('whsec'),
    },
  };
  return plain(s) as unknown as K8sObject;
}

export function namespace(overlay: Overlay): K8sObject {
  const ns: INamespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: overlay.namespace,
      // Pod Security Admission: Usher's pods meet `restricted` (warned and audited); `baseline` is
      // enforced because the Redis/Postgres operators' pods may share the namespace and not all
      // of them set every `restricted` field.
      labels: {
        ...partOf,
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
  return plain(ns) as unknown as K8sObject;
}

export function serviceAccount(overlay: Overlay): K8sObject {
  const sa: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'usher', namespace: overlay.namespace, labels: partOf },
    // Usher never talks to the Kubernetes API.
    automountServiceAccountToken: false,
  };
  return plain(sa) as unknown as K8sObject;
}
