-- How each Stripe customer is joined to its CRM company and its Odoo partner(s): stored
-- cross-references first (Stripe metadata, trueup's Odoo external ids), then the normalised
-- billing e-mail as a recorded fallback with a lower confidence.
-- TODO(#8): a seed of manual overrides that wins over every rule; merged CRM records resolved
-- to their survivor; VAT and domain as further fallbacks.

with

stripe_customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

crm_companies as (
    select * from {{ ref('stg_crm__companies') }}
),

billing_contacts as (
    select * from {{ ref('int_crm_billing_contacts') }}
),

odoo_partners as (
    select * from {{ ref('stg_odoo__partners') }}
),

external_ids as (
    select * from {{ ref('stg_odoo__external_ids') }}
),

crm_by_metadata as (
    select
        stripe_customers.stripe_account,
        stripe_customers.stripe_customer_id,
        crm_companies.crm_company_id as system_record_id,
        'stripe_metadata' as match_rule,
        1.0 as confidence
    from stripe_customers
    inner join crm_companies
        on stripe_customers.crm_company_id = crm_companies.crm_company_id
),

crm_by_email as (
    select
        stripe_customers.stripe_account,
        stripe_customers.stripe_customer_id,
        billing_contacts.crm_company_id as system_record_id,
        'email' as match_rule,
        0.8 as confidence
    from stripe_customers
    inner join billing_contacts
        on stripe_customers.email_normalized = billing_contacts.email_normalized
    where not exists (
        select 1
        from crm_by_metadata
        where
            crm_by_metadata.stripe_account = stripe_customers.stripe_account
            and crm_by_metadata.stripe_customer_id = stripe_customers.stripe_customer_id
    )
),

crm_links as (
    select * from crm_by_metadata
    union all
    select * from crm_by_email
),

odoo_by_external_id as (
    select
        stripe_customers.stripe_account,
        stripe_customers.stripe_customer_id,
        cast(odoo_partners.odoo_partner_id as varchar) as system_record_id,
        'odoo_external_id' as match_rule,
        1.0 as confidence
    from stripe_customers
    inner join external_ids
        on
            external_ids.odoo_model = 'res.partner'
            and external_ids.external_id
            = '{{ var("xmlid_module") }}.stripe_customer_' || stripe_customers.stripe_customer_id
    inner join odoo_partners
        on external_ids.odoo_record_id = odoo_partners.odoo_partner_id
),

-- Every e-mail a customer is known by, in Stripe and as its CRM company's billing e-mail.
customer_emails as (
    select
        stripe_account,
        stripe_customer_id,
        email_normalized
    from stripe_customers
    where email_normalized is not null
    union
    select
        crm_links.stripe_account,
        crm_links.stripe_customer_id,
        billing_contacts.email_normalized
    from crm_links
    inner join billing_contacts
        on crm_links.system_record_id = billing_contacts.crm_company_id
),

-- Partners that carry no trueup external id are matched by e-mail, archived ones included,
-- so a returning customer's old partner is re-used rather than duplicated.
email_candidates as (
    select distinct
        customer_emails.stripe_account,
        customer_emails.stripe_customer_id,
        odoo_partners.odoo_partner_id
    from customer_emails
    inner join odoo_partners
        on customer_emails.email_normalized = odoo_partners.email_normalized
    where
        odoo_partners.parent_partner_id is null
        and not exists (
            select 1
            from external_ids
            where
                external_ids.odoo_model = 'res.partner'
                and external_ids.odoo_record_id = odoo_partners.odoo_partner_id
        )
),

-- A partner that the e-mail of several customers matches belongs to none of them for sure:
-- it is recorded as ambiguous, for a person to decide, and never adopted.
candidate_counts as (
    select
        odoo_partner_id,
        count(*) as customers_matched
    from email_candidates
    group by odoo_partner_id
),

odoo_by_email as (
    select
        email_candidates.stripe_account,
        email_candidates.stripe_customer_id,
        cast(email_candidates.odoo_partner_id as varchar) as system_record_id,
        case
            when candidate_counts.customers_matched = 1 then 'email' else 'ambiguous_email'
        end as match_rule,
        case when candidate_counts.customers_matched = 1 then 0.8 else 0.3 end as confidence
    from email_candidates
    inner join candidate_counts
        on email_candidates.odoo_partner_id = candidate_counts.odoo_partner_id
),

links as (
    select
        *,
        'crm' as system
    from crm_links
    union all
    select
        *,
        'odoo' as system
    from odoo_by_external_id
    union all
    select
        *,
        'odoo' as system
    from odoo_by_email
),

final as (
    select
        stripe_account || ':' || stripe_customer_id as customer_id,
        stripe_account,
        stripe_customer_id,
        system,
        system_record_id,
        match_rule,
        confidence
    from links
)

select * from final
