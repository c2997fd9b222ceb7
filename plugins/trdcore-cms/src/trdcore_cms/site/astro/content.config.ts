// Written by trdcore export hugo --profile astro: one content collection per site section,
// with a schema that matches the front matter trdcore writes. Render the pages with your
// own layout; print `jsonld` as is inside <script type="application/ld+json">.
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

const page = (section: string) =>
  defineCollection({
    loader: glob({ pattern: '**/*.md', base: `./src/content/${section}` }),
    schema: z.object({
      title: z.string(),
      description: z.string(),
      language: z.string(),
      translation_key: z.string(),
      weight: z.number().int(),
      audience: z.enum(['patient', 'clinician']),
      content_id: z.string(),
      content_version: z.string(),
      last_reviewed: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      next_review: z.string(),
      reviewed_by: z.string(),
      sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string().optional() })),
      // How many sources the content cites in all; a patient page lists only its key ones.
      sources_cited: z.number().int(),
      jsonld: z.string(),
    }),
  });

export const collections = { __COLLECTIONS__ };
