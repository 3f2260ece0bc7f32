with

source as (
    select * from {{ source('raw_odoo', 'res_partner') }}
),

renamed as (
    select
        id as odoo_partner_id,
        name as partner_name,
        email,
        nullif(lower(trim(email)), '') as email_normalized,
        coalesce(is_company, false) as is_company,
        coalesce(active, false) as is_active,
        company_id as odoo_company_id,
        parent_id as parent_partner_id,
        coalesce(customer_rank, 0) as customer_rank,
        coalesce(supplier_rank, 0) as supplier_rank,
        ref,
        vat,
        cast(write_date as timestamp) as modified_at
    from source
),

final as (
    select * from renamed
)

select * from final
