export * from './DomainError';
