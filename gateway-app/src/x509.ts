// The one way the gateway loads @peculiar/x509: after the Reflect metadata API its ASN.1 schemas need.
import 'reflect-metadata';

export * from '@peculiar/x509';
