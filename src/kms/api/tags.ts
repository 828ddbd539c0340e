/** JSON members of the tagging operations. */
import type { KmsOperation } from './operation.js';

export const TAG_OPERATIONS = {
    TagResource: (kms, f, caller) =>
        kms.tagResource(
            { KeyId: f.requiredString('KeyId'), Tags: f.required('Tags', f.tags('Tags')) },
            caller,
        ),
    UntagResource: (kms, f, caller) =>
        kms.untagResource(
            {
                KeyId: f.requiredString('KeyId'),
                TagKeys: f.required('TagKeys', f.stringList('TagKeys')),
            },
            caller,
        ),
    ListResourceTags: (kms, f, caller) =>
        kms.listResourceTags(
            {
                KeyId: f.requiredString('KeyId'),
                Limit: f.integer('Limit'),
                Marker: f.string('Marker'),
            },
            caller,
        ),
} satisfies Record<string, KmsOperation>;
