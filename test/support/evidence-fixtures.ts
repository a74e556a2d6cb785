// The generators live in local/ because the local runtime's demo data uses them too.
export * from '../../local/evidence-fixtures.ts';
