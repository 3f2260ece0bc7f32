-- One row per customer: a Stripe customer of one account, with the CRM company and Odoo
-- partner(s) it is joined to and the canonical name and billing e-mail taken from the
-- fields' owner (the CRM), falling back to Stripe's values where no CRM company is linked.

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

identity as (
    select * from {{ ref('int_customer_identity') }}
),

account_companies as (
    {{ account_companies() }}
),

crm_links as (
    select
        customer_id,
        min(system_record_id) as crm_company_id,
        min(match_rule) as crm_match_rule
    from identity
    where system = 'crm'
    group by customer_id
),

-- The primary partner is the one trueup's external id names; failing that, the only partner
-- an e-mail matched (several e-mail matches stay without a primary, for review).
ambiguous_links as (
    select
        customer_id,
        string_agg(system_record_id, ',' order by cast(system_record_id as bigint))
            as ambiguous_partner_ids
    from identity
    where system = 'odoo' and match_rule = 'ambiguous_email'
    group by customer_id
),

odoo_links as (
    select
        customer_id,
        count(*) as odoo_partner_count,
        string_agg(system_record_id, ',' order by cast(system_record_id as bigint))
            as odoo_partner_ids,
        coalesce(
            min(case when match_rule = 'odoo_external_id' then system_record_id end),
            case when count(*) = 1 then min(system_record_id) end
        ) as primary_partner_id,
        coalesce(
            min(case when match_rule = 'odoo_external_id' then match_rule end),
            case when count(*) = 1 then min(match_rule) end
        ) as odoo_match_rule
    from identity
    where system = 'odoo' and match_rule != 'ambiguous_email'
    group by customer_id
),

final as (
    select
        stripe_customers.stripe_account || ':' || stripe_customers.stripe_customer_id
            as customer_id,
        stripe_customers.stripe_account,
        stripe_customers.stripe_customer_id,
        stripe_customers.is_deleted as is_deleted_in_stripe,
        crm_links.crm_company_id,
        crm_links.crm_match_rule,
        stripe_customers.crm_company_id as stripe_crm_company_id,
        coalesce(crm_companies.company_name, stripe_customers.customer_name) as customer_name,
        coalesce(billing_contacts.email, stripe_customers.email) as billing_email,
        cast(odoo_links.primary_partner_id as bigint) as odoo_partner_id,
        coalesce(odoo_links.odoo_partner_ids, '') as odoo_partner_ids,
        coalesce(odoo_links.odoo_partner_count, 0) as odoo_partner_count,
        odoo_links.odoo_match_rule,
        ambiguous_links.ambiguous_partner_ids,
        account_companies.odoo_company_id,
        stripe_customers.created_at
    from stripe_customers
    left join crm_links
        on
            crm_links.customer_id
            = stripe_customers.stripe_account || ':' || stripe_customers.stripe_customer_id
    left join crm_companies
        on crm_links.crm_company_id = crm_companies.crm_company_id
    left join billing_contacts
        on crm_links.crm_company_id = billing_contacts.crm_company_id
    left join odoo_links
        on
            odoo_links.customer_id
            = stripe_customers.stripe_account || ':' || stripe_customers.stripe_customer_id
    left join ambiguous_links
        on
            ambiguous_links.customer_id
            = stripe_customers.stripe_account || ':' || stripe_customers.stripe_customer_id
    left join account_companies
        on stripe_customers.stripe_account = account_companies.stripe_account
)

select * from final
